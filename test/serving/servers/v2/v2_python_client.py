"""A second Open Inference Protocol client, in Python, written from the specification only.

REST: JSON and the binary tensor data extension by hand (urllib, numpy's little-endian bytes).
gRPC: ModelInfer's messages declared here from the published field numbers (a FileDescriptorProto
built in code), called through grpcio's generic unary call. Prints one JSON object of what each
path answered, for the test to compare. Usage: v2_python_client.py REST_URL GRPC_ADDRESS
"""
import json
import sys
import urllib.request

import grpc
import numpy as np
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

rest_url, grpc_address = sys.argv[1], sys.argv[2]
images = (np.arange(2 * 784, dtype=np.float32).reshape(2, 28, 28, 1) % 17) / 16


def post(path, body, headers):
    request = urllib.request.Request(rest_url + path, data=body, headers=headers, method='POST')
    with urllib.request.urlopen(request) as response:
        return response.read(), response.headers


def rest_json():
    body = {'id': 'py-json', 'inputs': [{'name': 'image', 'shape': [2, 28, 28, 1], 'datatype': 'FP32', 'data': images.tolist()}]}
    answer, _ = post('/v2/models/mnist/infer', json.dumps(body).encode(), {'Content-Type': 'application/json'})
    return json.loads(answer)


def rest_binary():
    header = json.dumps({
        'inputs': [{'name': 'image', 'shape': [2, 28, 28, 1], 'datatype': 'FP32', 'parameters': {'binary_data_size': images.nbytes}}],
        'parameters': {'binary_data_output': True},
    }).encode()
    answer, headers = post('/v2/models/mnist/infer', header + images.astype('<f4').tobytes(),
                           {'Inference-Header-Content-Length': str(len(header)), 'Content-Type': 'application/octet-stream'})
    length = int(headers['Inference-Header-Content-Length'])
    outputs, blobs, offset = json.loads(answer[:length])['outputs'], {}, length
    for output in outputs:
        size = output['parameters']['binary_data_size']
        blobs[output['name']] = answer[offset:offset + size]
        offset += size
    return {'scores': np.frombuffer(blobs['scores'], '<f4').tolist(), 'classes': np.frombuffer(blobs['classes'], '<i8').tolist()}


def infer_messages():
    field = descriptor_pb2.FieldDescriptorProto
    repeated, optional = field.LABEL_REPEATED, field.LABEL_OPTIONAL
    proto = descriptor_pb2.FileDescriptorProto(name='v2_python_client.proto', package='inference', syntax='proto3')

    def message(name, fields, parent=None):
        declared = parent.nested_type.add() if parent else proto.message_type.add()
        declared.name = name
        for field_name, number, kind, label, type_name in fields:
            declared.field.add(name=field_name, number=number, type=kind, label=label, **({'type_name': type_name} if type_name else {}))
        return declared

    message('InferTensorContents', [('fp32_contents', 6, field.TYPE_FLOAT, repeated, ''), ('int64_contents', 3, field.TYPE_INT64, repeated, '')])
    tensor = [('name', 1, field.TYPE_STRING, optional, ''), ('datatype', 2, field.TYPE_STRING, optional, ''),
              ('shape', 3, field.TYPE_INT64, repeated, ''), ('contents', 5, field.TYPE_MESSAGE, optional, '.inference.InferTensorContents')]
    request = message('ModelInferRequest', [
        ('model_name', 1, field.TYPE_STRING, optional, ''), ('model_version', 2, field.TYPE_STRING, optional, ''), ('id', 3, field.TYPE_STRING, optional, ''),
        ('inputs', 5, field.TYPE_MESSAGE, repeated, '.inference.ModelInferRequest.InferInputTensor'), ('raw_input_contents', 7, field.TYPE_BYTES, repeated, '')])
    message('InferInputTensor', tensor, request)
    response = message('ModelInferResponse', [
        ('model_name', 1, field.TYPE_STRING, optional, ''), ('model_version', 2, field.TYPE_STRING, optional, ''), ('id', 3, field.TYPE_STRING, optional, ''),
        ('outputs', 5, field.TYPE_MESSAGE, repeated, '.inference.ModelInferResponse.InferOutputTensor'), ('raw_output_contents', 6, field.TYPE_BYTES, repeated, '')])
    message('InferOutputTensor', tensor, response)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(proto)
    return (message_factory.GetMessageClass(pool.FindMessageTypeByName('inference.ModelInferRequest')),
            message_factory.GetMessageClass(pool.FindMessageTypeByName('inference.ModelInferResponse')))


def grpc_infer():
    request_type, response_type = infer_messages()
    with grpc.insecure_channel(grpc_address) as channel:
        call = channel.unary_unary('/inference.GRPCInferenceService/ModelInfer',
                                   request_serializer=request_type.SerializeToString, response_deserializer=response_type.FromString)
        raw = request_type(model_name='mnist', model_version='2', id='py-grpc')
        raw.inputs.add(name='image', datatype='FP32', shape=[2, 28, 28, 1])
        raw.raw_input_contents.append(images.astype('<f4').tobytes())
        raw_answer = call(raw, timeout=30)
        typed = request_type(model_name='mnist')
        typed.inputs.add(name='image', datatype='FP32', shape=[2, 28, 28, 1]).contents.fp32_contents.extend(images.flatten().tolist())
        typed_answer = call(typed, timeout=30)
    names = [output.name for output in raw_answer.outputs]
    return {
        'id': raw_answer.id,
        'model_version': raw_answer.model_version,
        'outputs': names,
        'raw_scores': np.frombuffer(raw_answer.raw_output_contents[names.index('scores')], '<f4').tolist(),
        'typed_scores': list(typed_answer.outputs[[o.name for o in typed_answer.outputs].index('scores')].contents.fp32_contents),
    }


print(json.dumps({'images': images.flatten().tolist(), 'json': rest_json(), 'binary': rest_binary(), 'grpc': grpc_infer()}))
