/** The S3 stand-in installed by .ci/install-s3-standin.sh: moto's server, which keeps the S3 API's rules. */
import { homedir } from "os";
import { join } from "path";

const toolsDir = process.env.OPENCLAW_TOOLS_DIR ?? join(homedir(), ".cache/openclaw-vps/tools");
export const MOTO_SERVER = join(toolsDir, "moto/bin/moto_server");
