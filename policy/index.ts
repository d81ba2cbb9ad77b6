/**
 * The openclaw-vps policy pack: `pulumi preview --policy-pack policy` refuses any change
 * that would open the server, create it behind anything but the stack's deny-all firewalls,
 * add a load balancer or an extra public IP, keep user data in plain state, or put a secret
 * in a command outside stdin.
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("openclaw-vps", { policies });
