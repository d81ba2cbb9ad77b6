/**
 * The package's own fields in its schema (Pulumi's package schema: `publisher`, `keywords`,
 * `repository`), from the npm fields of package.json that mean the same (`author`,
 * `keywords`, `repository`), so the package is described in one place. Generated SDKs carry
 * them into their own manifests. Pure: no Pulumi import.
 */

/** The package.json fields read here, in the forms npm allows. */
export interface PackageManifest {
  readonly author?: string | { readonly name?: string };
  readonly keywords?: readonly string[];
  readonly repository?: string | { readonly url?: string };
}

export interface SchemaMetadata {
  publisher?: string;
  keywords?: string[];
  repository?: string;
}

/** An npm author ("Name <email> (url)" or { name }) as a publisher's name. */
function publisherOf(author: PackageManifest["author"]): string | undefined {
  const name = (typeof author === "string" ? author.replace(/\s*[<(].*$/, "") : author?.name)?.trim();
  return name === "" ? undefined : name;
}

/**
 * An npm repository (a URL, `git+https://….git`, or the `github:owner/name` and `owner/name`
 * shorthands) as the URL the schema wants, where the sources can be browsed.
 */
export function repositoryUrl(repository: PackageManifest["repository"]): string | undefined {
  const given = (typeof repository === "string" ? repository : repository?.url)?.trim();
  if (!given) return undefined;
  const shorthand = /^(?:github:)?([\w.-]+\/[\w.-]+)$/.exec(given);
  if (shorthand) return `https://github.com/${shorthand[1].replace(/\.git$/, "")}`;
  const url = given.replace(/^git\+/, "").replace(/\.git$/, "");
  if (!/^https:\/\//.test(url)) throw new Error(`package.json repository: given ${JSON.stringify(given)}; expected an https URL or github:owner/name`);
  return url;
}

/** The schema's package fields from package.json; a field package.json lacks is left out. */
export function schemaMetadata(manifest: PackageManifest): SchemaMetadata {
  const metadata: SchemaMetadata = {};
  const publisher = publisherOf(manifest.author);
  if (publisher) metadata.publisher = publisher;
  if (manifest.keywords && manifest.keywords.length > 0) metadata.keywords = [...manifest.keywords];
  const repository = repositoryUrl(manifest.repository);
  if (repository) metadata.repository = repository;
  return metadata;
}
