/**
 * A TF1-style SavedModel written by Python TensorFlow's own SavedModelBuilder, with the
 * signatures earlier `mnist-serve export`s wrote (serving_default: image → scores, classes;
 * predict_classes: image → decoded = the class indices, int64, where today's export answers the
 * scores) but a one-layer network whose weights depend on `seed`, so versions differ.
 */
import { runPython } from '../../../src/runtime/python-tf.ts';

const SCRIPT = `
import sys, numpy as np, tensorflow as tf
v1 = tf.compat.v1
v1.disable_eager_execution()
out, seed = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(seed)
graph = tf.Graph()
with graph.as_default():
    image = v1.placeholder(tf.float32, [None, 28, 28, 1], name='conv2d_input')
    flat = tf.reshape(image, [-1, 784])
    kernel = v1.get_variable(
        'dense_1/kernel', initializer=rng.normal(0, 0.1, (784, 10)).astype(np.float32), use_resource=True
    )
    bias = v1.get_variable('dense_1/bias', initializer=rng.normal(0, 0.1, (10,)).astype(np.float32), use_resource=True)
    scores = tf.sigmoid(tf.matmul(flat, kernel) + bias, name='dense_1/Sigmoid')
    classes = tf.argmax(scores, 1, name='ArgMax')
    info = v1.saved_model.utils.build_tensor_info
    with v1.Session() as sess:
        sess.run(v1.global_variables_initializer())
        builder = v1.saved_model.Builder(out)
        predict = v1.saved_model.signature_def_utils.build_signature_def
        method = 'tensorflow/serving/predict'
        builder.add_meta_graph_and_variables(sess, ['serve'], signature_def_map={
            'serving_default': predict(
                {'image': info(image)}, {'scores': info(scores), 'classes': info(classes)}, method
            ),
            'predict_classes': predict({'image': info(image)}, {'decoded': info(classes)}, method),
        })
        builder.save()
`;

/** Writes the SavedModel into `dir` (which must not exist yet). */
export function writePythonSavedModel(dir: string, seed: number): void {
  runPython(SCRIPT, [dir, String(seed)]);
}
