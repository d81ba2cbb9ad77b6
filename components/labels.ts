/**
 * Names that identify a stack's resources in the clouds' consoles. Pure functions: the
 * clouds restrict label and tag characters differently, so each gets its own form.
 */

/** Hetzner label values: up to 63 of [A-Za-z0-9._-], starting and ending alphanumeric. */
export function hcloudLabelValue(value: string): string {
  const cleaned = value.replace(/[^A-Za-z0-9._-]/g, "-").slice(0, 63);
  return cleaned.replace(/^[^A-Za-z0-9]+/, "").replace(/[^A-Za-z0-9]+$/, "") || "x";
}

/** Hetzner labels on every resource of the stack. */
export function hcloudLabels(project: string, stack: string): Record<string, string> {
  return {
    "managed-by": "pulumi",
    project: hcloudLabelValue(project),
    stack: hcloudLabelValue(stack),
  };
}

/**
 * A DigitalOcean tag name: [A-Za-z0-9_:-], at most 255 characters. Tags are account-wide,
 * so the deployment's own random suffix keeps two stacks of the same name (two projects,
 * two people) from sharing one: deleting a tag untags everything that carries it.
 */
export function digitaloceanTag(project: string, stack: string, suffix: string): string {
  const prefix = `${project}-${stack}`.replace(/[^A-Za-z0-9_:-]/g, "-").slice(0, 255 - suffix.length - 1);
  return `${prefix}-${suffix}`;
}
