"""A Python consumer of the openclaw-vps package: one gateway, its settings from this
project's config. `pulumi package add` generates the pulumi_openclaw_vps module."""
import pulumi
import pulumi_openclaw_vps as openclaw

config = pulumi.Config()

gateway = openclaw.OpenClawGateway(
    "assistant",
    tailnet=config.require("tailnet"),
    cloud="hetzner",
    hostname="assistant",
    tailscale_tags=["tag:openclaw"],
    tailscale_auth_key=config.require_secret("tailscaleAuthKey"),
    telegram_bot_token=config.get_secret("telegramBotToken"),
    telegram_owner_id=config.get("telegramOwnerId"),
    telegram_dm_policy="pairing",
    anthropic_api_key=config.get_secret("anthropicApiKey"),
    sandbox_network="none",
)

pulumi.export("gatewayUrl", gateway.gateway_url)
pulumi.export("sshCommand", gateway.ssh_command)
pulumi.export("verification", gateway.verification)
