// image/: from shipped binaries to an OCI layout: UPX, the final stage's Dockerfile and files, docker buildx,
// layer compression, the check that the image holds the binary, the SBOM and attestations.
export { attachSboms, attestationsOf, buildInfoSboms } from './attest.js'
export { buildImage, imageTags, inspectEngine, LOST_SNAPSHOT, removeImages } from './buildx.js'
export type { BuildxMetadata, Engine, MeasureRoute } from './buildx.js'
export { compressedByBuildKit, layerCompression, recompressLayout, wireWith } from './compress.js'
export {
  MEDIA,
  blobPath,
  isAttestation,
  isIndex,
  layoutBlobs,
  layoutFromDockerArchive,
  layoutImages,
  layoutTop,
  loadTarball,
  openBlob,
  platformId
} from './layout.js'
export type { Descriptor, LayoutImage } from './layout.js'
export { BINARY_DIR, contextBinaryPath, pinTimes, sealContext, stageLayers, stageOf, treeDigest, writeStageFiles } from './stage.js'
export { requireUpx } from './upx-install.js'
export { packBinaries } from './upx.js'
export type { Packed } from './upx.js'
export { fileInImage, readInImage, scanLayer, sha256Reader, verifyImageBinaries } from './verify.js'
export type { LayerSource } from './verify.js'
