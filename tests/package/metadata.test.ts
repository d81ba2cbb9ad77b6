/**
 * The package's own fields in its schema come from package.json's npm fields
 * (pkg/metadata.ts): each npm form read as the schema wants it, a missing field left out.
 */
import { repositoryUrl, schemaMetadata } from "../../pkg/metadata";

describe("the schema's package fields from package.json", () => {
  it("reads a repository in each form npm allows as the https URL of its sources", () => {
    expect(repositoryUrl("https://github.com/someone/openclaw-vps")).toBe("https://github.com/someone/openclaw-vps");
    expect(repositoryUrl({ url: "git+https://github.com/someone/openclaw-vps.git" })).toBe("https://github.com/someone/openclaw-vps");
    expect(repositoryUrl("github:someone/openclaw-vps")).toBe("https://github.com/someone/openclaw-vps");
    expect(repositoryUrl("someone/openclaw-vps")).toBe("https://github.com/someone/openclaw-vps");
    expect(repositoryUrl(undefined)).toBeUndefined();
    expect(() => repositoryUrl("git@github.com:someone/openclaw-vps.git")).toThrow(/expected an https URL/);
  });

  it("takes the publisher from the author, without an email or URL", () => {
    expect(schemaMetadata({ author: "The maintainers <m@example.org> (https://example.org)" }).publisher).toBe("The maintainers");
    expect(schemaMetadata({ author: { name: "The maintainers" } }).publisher).toBe("The maintainers");
  });

  it("leaves out what package.json does not say", () => {
    expect(schemaMetadata({})).toEqual({});
    expect(schemaMetadata({ author: " ", keywords: [], repository: "" })).toEqual({});
    expect(schemaMetadata({ keywords: ["pulumi"], repository: "https://example.org/src" })).toEqual({ keywords: ["pulumi"], repository: "https://example.org/src" });
  });
});
