import { digitaloceanTag, hcloudLabelValue, hcloudLabels } from "../../components/labels";

describe("labels and tags", () => {
  it("labels Hetzner resources with the project and stack", () => {
    expect(hcloudLabels("openclaw-vps", "prod")).toEqual({ "managed-by": "pulumi", project: "openclaw-vps", stack: "prod" });
  });

  it("keeps Hetzner label values within the allowed form", () => {
    expect(hcloudLabelValue("team/prod.eu")).toBe("team-prod.eu");
    expect(hcloudLabelValue("-x-")).toBe("x");
    expect(hcloudLabelValue("a".repeat(80))).toHaveLength(63);
  });

  it("makes a DigitalOcean tag from project and stack", () => {
    expect(digitaloceanTag("openclaw-vps", "prod.eu", "1a2b3c4d")).toBe("openclaw-vps-prod-eu-1a2b3c4d");
    expect(digitaloceanTag("p", "s".repeat(300), "1a2b3c4d")).toHaveLength(255);
    expect(digitaloceanTag("p", "s".repeat(300), "1a2b3c4d").endsWith("-1a2b3c4d")).toBe(true);
  });
});
