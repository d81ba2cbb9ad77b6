/** Types for ssh-pin.js (plain JavaScript, also run by Node without TypeScript). */
export function parseHostKey(publicKey: string): { type: string; body: string };
export function pinnedSshOptions(dir: string, host: string, publicKey: string): string[];
