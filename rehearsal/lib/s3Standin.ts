/**
 * The S3 stand-in the off-site backup checks and the rehearsal use: moto's server (a pinned
 * release from PyPI, which keeps the S3 API's rules), installed by .ci/install-s3-standin.sh.
 */
import { homedir } from "os";
import { join } from "path";

const toolsDir = process.env.OPENCLAW_TOOLS_DIR ?? join(homedir(), ".cache/openclaw-vps/tools");
export const MOTO_SERVER = join(toolsDir, "moto/bin/moto_server");
/** Where rehearsal/standins/internet.py runs it, on the internet namespace's loopback. */
export const S3_STANDIN_PORT = 8791;
