/**
 * A consumer of the openclaw-vps package: two gateways in one program, one per team, each
 * with its own server, tailnet name and Telegram bot. The settings are the stack config keys
 * of openclaw-vps (docs/configuration.md), taken from this project's own config.
 */
import * as pulumi from "@pulumi/pulumi";
import { OpenClawGateway } from "../../../pkg";

const config = new pulumi.Config();
const tailnet = config.require("tailnet");

const research = new OpenClawGateway("research", {
  tailnet,
  hostname: "research-assistant",
  tailscaleAuthKey: config.requireSecret("researchAuthKey"),
  telegramBotToken: config.getSecret("researchBotToken"),
  telegramOwnerId: config.get("researchOwnerId"),
  telegramDmPolicy: "allowlist",
  anthropicApiKey: config.requireSecret("anthropicApiKey"),
});

const support = new OpenClawGateway("support", {
  tailnet,
  cloud: "digitalocean",
  hostname: "support-assistant",
  protect: true,
  tailscaleAuthKey: config.requireSecret("supportAuthKey"),
  openaiApiKey: config.requireSecret("openaiApiKey"),
});

export const researchUrl = research.gatewayUrl;
export const researchVerification = research.verification;
export const supportUrl = support.gatewayUrl;
export const supportSsh = support.sshCommand;
export const supportUrlWithToken = support.gatewayUrlWithToken;
