/**
 * The openclaw-vps policy pack: `pulumi preview --policy-pack policy` refuses any change
 * that would open the server, leave it without its firewall at creation, keep user data in
 * plain state, or put a secret on a remote command line.
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("openclaw-vps", { policies });
