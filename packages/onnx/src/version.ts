/** The version of @dlfs/onnx, written into every model as its producer_version; a test keeps it equal to package.json's. */
export const DLFS_ONNX_VERSION = '0.0.0';
