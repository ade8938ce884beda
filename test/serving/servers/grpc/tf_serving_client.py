"""A TF Serving client built only from TF Serving's own Python stubs (pip tensorflow-serving-api)
and TensorFlow, pointed at mnist-serve's gRPC port. It also runs the same SavedModel through
tf.saved_model.load, the answer TF Serving would give, and prints both as one JSON object.

Arguments: ADDRESS MODEL_NAME VERSION SAVED_MODEL_DIR IMAGES_FILE (little-endian float32, N*784).
"""
import json
import sys

import grpc
import numpy as np
import tensorflow as tf
from tensorflow.core.protobuf import saved_model_pb2
from tensorflow_serving.apis import (get_model_metadata_pb2, get_model_status_pb2, model_service_pb2_grpc,
                                     predict_pb2, prediction_service_pb2_grpc)

address, model_name, version, model_dir, images_file = sys.argv[1:6]
images = np.fromfile(images_file, dtype='<f4').reshape(-1, 28, 28, 1)
channel = grpc.insecure_channel(address)
prediction_service = prediction_service_pb2_grpc.PredictionServiceStub(channel)
model_service = model_service_pb2_grpc.ModelServiceStub(channel)


def spec_json(spec):
    return {'name': spec.name, 'version': spec.version.value if spec.HasField('version') else None,
            'signature_name': spec.signature_name}


def predict(signature_name, name=model_name):
    request = predict_pb2.PredictRequest()
    request.model_spec.name = name
    request.model_spec.version.value = int(version)
    if signature_name:
        request.model_spec.signature_name = signature_name
    request.inputs['image'].CopyFrom(tf.make_tensor_proto(images))
    response = prediction_service.Predict(request, timeout=60)
    outputs = {key: tf.make_ndarray(tensor) for key, tensor in response.outputs.items()}
    return {'model_spec': spec_json(response.model_spec),
            'outputs': {key: {'dtype': value.dtype.name, 'shape': list(value.shape), 'values': value.ravel().tolist()}
                        for key, value in outputs.items()}}


def rpc_error(call):
    try:
        call()
    except grpc.RpcError as error:
        return {'code': error.code().name, 'details': error.details()}
    return None


def metadata():
    request = get_model_metadata_pb2.GetModelMetadataRequest(metadata_field=['signature_def'])
    request.model_spec.name = model_name
    response = prediction_service.GetModelMetadata(request, timeout=60)
    served = get_model_metadata_pb2.SignatureDefMap()
    unpacked = response.metadata['signature_def'].Unpack(served)
    saved = saved_model_pb2.SavedModel()
    with open(f'{model_dir}/saved_model.pb', 'rb') as f:
        saved.ParseFromString(f.read())
    on_disk = saved.meta_graphs[0].signature_def
    return {'model_spec': spec_json(response.model_spec),
            'type_url': response.metadata['signature_def'].type_url,
            'unpacked': unpacked,
            'signatures': sorted(served.signature_def.keys()),
            'on_disk_signatures': sorted(on_disk.keys()),
            'mismatched': sorted(key for key in on_disk if served.signature_def[key] != on_disk[key])}


def status():
    request = get_model_status_pb2.GetModelStatusRequest()
    request.model_spec.name = model_name
    response = model_service.GetModelStatus(request, timeout=60)
    return [{'version': entry.version,
             'state': get_model_status_pb2.ModelVersionStatus.State.Name(entry.state),
             'error_code': entry.status.error_code}
            for entry in response.model_version_status]


loaded = tf.saved_model.load(model_dir)
reference_main = loaded.signatures['serving_default'](image=tf.constant(images))
reference_classes = loaded.signatures['predict_classes'](image=tf.constant(images))

print(json.dumps({
    'default': predict(None),
    'serving_default': predict('serving_default'),
    'predict_classes': predict('predict_classes'),
    'reference': {'scores': reference_main['scores'].numpy().ravel().tolist(),
                  'classes': reference_main['classes'].numpy().tolist(),
                  'decoded': reference_classes['decoded'].numpy().ravel().tolist()},
    'metadata': metadata(),
    'status': status(),
    'unknown_model': rpc_error(lambda: predict('serving_default', name='no-such-model')),
    'unknown_version': rpc_error(lambda: prediction_service.Predict(predict_pb2.PredictRequest(
        model_spec={'name': model_name, 'version': {'value': 99}},
        inputs={'image': tf.make_tensor_proto(images)}), timeout=60)),
}))
