/**
 * Which backend the Pulumi CLI uses, by its own rule (pulumi/pulumi pkg/workspace/creds.go,
 * GetCurrentCloudURLWithSource): PULUMI_BACKEND_URL from the environment first, then the
 * project's `backend.url` (Pulumi.yaml), then the stored login (`pulumi login`, which
 * pulumi/actions' `cloud-url` input performs). So with `backend.url` in Pulumi.yaml, a login
 * alone never reaches a team's backend: CI must set PULUMI_BACKEND_URL.
 */
export type BackendSource = "env" | "project" | "credentials" | "none";

export function effectiveBackend(env: Readonly<Record<string, string | undefined>>, projectBackendUrl: string | undefined, storedLogin: string | undefined): { url: string; source: BackendSource } {
  const fromEnv = env.PULUMI_BACKEND_URL ?? "";
  if (fromEnv !== "") return { url: fromEnv, source: "env" };
  if (projectBackendUrl) return { url: projectBackendUrl, source: "project" };
  if (storedLogin) return { url: storedLogin, source: "credentials" };
  return { url: "", source: "none" };
}
