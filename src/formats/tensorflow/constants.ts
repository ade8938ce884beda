/**
 * TensorFlow's and TF Serving's fixed names and limits, stated once: the SavedModel tag loaders
 * ask for, the signature and method names TF Serving routes by, the TensorFlow release our graphs
 * declare, and the float32 range a DT_FLOAT value must fit.
 */

/** tf.saved_model.SERVING (`tag_constants.SERVING`): the MetaGraphDef TF Serving loads. */
export const SERVE_TAG = 'serve';

/** The signature TF Serving uses when a request names none (`DEFAULT_SERVING_SIGNATURE_DEF_KEY`). */
export const DEFAULT_SIGNATURE_NAME = 'serving_default';

/** The notebook's second signature: image → decoded (the head's scores). */
export const PREDICT_CLASSES_SIGNATURE_NAME = 'predict_classes';

/** `signature_constants.PREDICT_METHOD_NAME`: the method of every signature we write. */
export const PREDICT_METHOD = 'tensorflow/serving/predict';

/** Signature keys with this prefix are TensorFlow's own (`__saved_model_init_op`), not callable. */
export const INTERNAL_SIGNATURE_PREFIX = '__';

/** The TensorFlow whose GraphDef version (GRAPH_PRODUCER_VERSION) our graphs declare. */
export const TENSORFLOW_VERSION = '2.21.0';

/** TF 2.21's GRAPH_DEF_VERSION: every op attr we use exists at this producer version. */
export const GRAPH_PRODUCER_VERSION = 2474;

/** The largest finite float32 (FLT_MAX): a DT_FLOAT value beyond it is not representable. */
export const FLOAT32_MAX = 3.4028234663852886e38;
