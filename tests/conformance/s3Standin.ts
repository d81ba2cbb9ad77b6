/** The S3 stand-in installed by .ci/install-s3-standin.sh (scripts/lib/s3Standin.ts). */
export { MOTO_SERVER } from "../../scripts/lib/s3Standin";
