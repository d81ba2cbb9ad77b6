/** The S3 stand-in installed by .ci/install-s3-standin.sh (rehearsal/lib/s3Standin.ts). */
export { MOTO_SERVER } from "../../rehearsal/lib/s3Standin";
