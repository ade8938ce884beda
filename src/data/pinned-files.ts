/**
 * The published datasets mnist-serve knows, with the SHA-256 of each file's IDX content.
 *
 * We pin the hash of the decompressed IDX bytes, not of the .gz: the same data is distributed
 * with different gzip framing (Debian's dataset-fashion-mnist recompressed Zalando's archives
 * without the embedded file name, so its .gz hashes differ while the content is identical), and
 * a content hash verifies any faithful mirror. The values are the widely published ones and
 * agree with the archives at the default mirrors (TensorFlow Datasets' url_checksums) after
 * gunzip; Fashion-MNIST's were also recomputed from /usr/share/datasets/fashion-mnist.
 */
import { IDX_FILE_NAMES } from './idx-directory.ts';

export type DownloadableDataset = 'mnist' | 'fashion-mnist';

export interface PinnedFile {
  /** The name on the mirror and in the cache (`train-images-idx3-ubyte.gz`). */
  file: string;
  /** SHA-256 (hex) of the decompressed IDX bytes. */
  sha256: string;
  /** Size of the decompressed IDX bytes. */
  bytes: number;
}

export interface PinnedDataset {
  /** Base URL the four `.gz` files are fetched from unless --mirror says otherwise. */
  mirror: string;
  files: PinnedFile[];
}

const gz = (base: string): string => `${base}.gz`;

export const PINNED_DATASETS: Record<DownloadableDataset, PinnedDataset> = {
  mnist: {
    // The CVDF copy Keras and TensorFlow Datasets download from (yann.lecun.com now refuses).
    mirror: 'https://storage.googleapis.com/cvdf-datasets/mnist/',
    files: [
      {
        file: gz(IDX_FILE_NAMES.trainImages),
        sha256: 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db',
        bytes: 47_040_016,
      },
      {
        file: gz(IDX_FILE_NAMES.trainLabels),
        sha256: '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5',
        bytes: 60_008,
      },
      {
        file: gz(IDX_FILE_NAMES.testImages),
        sha256: '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7',
        bytes: 7_840_016,
      },
      {
        file: gz(IDX_FILE_NAMES.testLabels),
        sha256: 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2',
        bytes: 10_008,
      },
    ],
  },
  'fashion-mnist': {
    // Zalando's own copy, linked from github.com/zalandoresearch/fashion-mnist.
    mirror: 'https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/',
    files: [
      {
        file: gz(IDX_FILE_NAMES.trainImages),
        sha256: 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
        bytes: 47_040_016,
      },
      {
        file: gz(IDX_FILE_NAMES.trainLabels),
        sha256: 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
        bytes: 60_008,
      },
      {
        file: gz(IDX_FILE_NAMES.testImages),
        sha256: '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
        bytes: 7_840_016,
      },
      {
        file: gz(IDX_FILE_NAMES.testLabels),
        sha256: '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
        bytes: 10_008,
      },
    ],
  },
};
