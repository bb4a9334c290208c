/** The version of @dlfs/onnx, written into every model as its producer_version; scripts/sync-version.mjs writes it from package.json's. */
export const DLFS_ONNX_VERSION = '0.0.0';
