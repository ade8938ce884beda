/**
 * The same measurement with Keras (Python TensorFlow), when installed: the notebook's model,
 * Adam, sparse categorical cross-entropy, one shuffled epoch of Fashion-MNIST at the given
 * batch size. A two-batch fit first builds Keras's compiled train function, so the timed epoch
 * excludes tracing, as the mnist-serve runs exclude building their engine.
 */
import { findPythonTensorFlow, runPython } from '../src/runtime/python-tf.ts';

const SCRIPT = `
import gzip, json, os, resource, sys, time
import numpy as np
import tensorflow as tf

data_dir, batch_size, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def idx(name, offset):
    with gzip.open(os.path.join(data_dir, name)) as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)
x = idx('train-images-idx3-ubyte.gz', 16).reshape(-1, 28, 28, 1).astype('float32') / 255
y = idx('train-labels-idx1-ubyte.gz', 8)
xt = idx('t10k-images-idx3-ubyte.gz', 16).reshape(-1, 28, 28, 1).astype('float32') / 255
yt = idx('t10k-labels-idx1-ubyte.gz', 8)
tf.keras.utils.set_random_seed(seed)
L = tf.keras.layers
model = tf.keras.Sequential([
    tf.keras.Input((28, 28, 1)),
    L.Conv2D(16, 3, activation='relu'), L.MaxPooling2D(),
    L.Conv2D(32, 3, activation='relu'), L.MaxPooling2D(),
    L.Conv2D(64, 3, activation='relu'), L.Flatten(),
    L.Dense(32, activation='relu'), L.Dense(10, activation='sigmoid'),
])
model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])
model.fit(x[:2 * batch_size], y[:2 * batch_size], batch_size=batch_size, epochs=1, verbose=0)
cpu = time.process_time()
started = time.perf_counter()
history = model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0, shuffle=True)
seconds = time.perf_counter() - started
cpu = time.process_time() - cpu
test_loss, test_accuracy = model.evaluate(xt, yt, batch_size=500, verbose=0)
print(json.dumps({
    'engine': 'keras', 'tensorflow': tf.__version__, 'batchSize': batch_size, 'samples': len(x),
    'seconds': seconds, 'samplesPerSecond': len(x) / seconds,
    'cpuSecondsPerThousandSamples': cpu / len(x) * 1000,
    'trainLoss': history.history['loss'][-1], 'trainAccuracy': history.history['accuracy'][-1],
    'testLoss': test_loss, 'testAccuracy': test_accuracy,
    'peakRssMB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    'loadAverageAtStart': os.getloadavg()[0],
}))
`;

export interface KerasResult {
  engine: 'keras';
  tensorflow: string;
  batchSize: number;
  samplesPerSecond: number;
  peakRssMB: number;
  testAccuracy: number;
  [field: string]: unknown;
}

/** One Keras epoch, or null when no Python TensorFlow is installed. */
export function runKerasEpoch(dataDir: string, batchSize: number, seed: number): KerasResult | null {
  if (!findPythonTensorFlow()) return null;
  const stdout = runPython(SCRIPT, [dataDir, String(batchSize), String(seed)], 900_000);
  return JSON.parse(stdout.trim().split('\n').pop()!) as KerasResult;
}
