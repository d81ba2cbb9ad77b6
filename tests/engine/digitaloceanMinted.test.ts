/** The day-2 chain under the real engine: digitalocean, an auth key minted by the Tailscale provider. See dayTwo.ts. */
import { dayTwoChain } from "./dayTwo";

dayTwoChain("digitalocean", true);
