/** The day-2 chain under the real engine: hetzner, a supplied auth key. See dayTwo.ts. */
import { dayTwoChain } from "./dayTwo";

dayTwoChain("hetzner", false);
