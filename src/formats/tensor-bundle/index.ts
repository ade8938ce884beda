/** TensorFlow tensor bundles (V2 checkpoints), read and written without TensorFlow. */
export {
  decodeTensorBundle,
  encodeTensorBundle,
  type BundleDType,
  type BundleEntryInfo,
  type BundleSource,
  type BundleTensor,
} from './bundle.ts';
export { bundleFiles, listTensorBundle, readBundleFile, readTensorBundle, writeTensorBundle } from './files.ts';
