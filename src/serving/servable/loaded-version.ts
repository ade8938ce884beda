/**
 * One model version held in memory: its TensorFlow session (through the TF C API, one
 * TFSavedModel handle per signature — tfjs-node shares the session between them) and its
 * signatures. Owns the native handles: `dispose()` frees them once, when the version unloads.
 */
import type { SignatureDef__Output } from '../../formats/proto/types.ts';
import { SERVE_TAG } from '../../formats/tensorflow/constants.ts';
import { loadTf, withoutInt64Warning, type Tf } from '../../runtime/tf.ts';
import { invalidArgument, ServingError } from '../serving-errors.ts';
import { readServingSignatures } from './serving-signatures.ts';
import type { HostTensor, TensorMap, TensorValues } from './host-tensor.ts';

type TFSavedModel = Awaited<ReturnType<Tf['node']['loadSavedModel']>>;
type EngineTensor = ReturnType<Tf['tensor']>;

export class LoadedVersion {
  private disposed = false;

  private constructor(
    readonly modelName: string,
    readonly version: number,
    readonly dir: string,
    readonly signatures: Record<string, SignatureDef__Output>,
    private readonly tf: Tf,
    private readonly sessions: Map<string, TFSavedModel>,
  ) {}

  static async load(modelName: string, version: number, dir: string): Promise<LoadedVersion> {
    const signatures = readServingSignatures(dir);
    const tf = await loadTf();
    const sessions = new Map<string, TFSavedModel>();
    try {
      for (const name of Object.keys(signatures)) {
        sessions.set(name, await tf.node.loadSavedModel(dir, [SERVE_TAG], name));
      }
    } catch (error) {
      for (const session of sessions.values()) session.dispose();
      throw error;
    }
    return new LoadedVersion(modelName, version, dir, signatures, tf, sessions);
  }

  /**
   * Runs one signature on inputs already validated against it (see predict/prediction-service.ts). Synchronous:
   * the TF C API call blocks this thread, which is why the batcher merges requests first.
   */
  run(signatureName: string, inputs: TensorMap): TensorMap {
    const session = this.sessions.get(signatureName);
    if (!session) throw invalidArgument(`Serving signature name: "${signatureName}" not found in signature def`);
    if (this.disposed)
      throw new ServingError('UNAVAILABLE', `version ${this.version} of model ${this.modelName} has been unloaded`);
    const tf = this.tf;
    const feeds = Object.fromEntries(
      Object.entries(inputs).map(([name, tensor]) => [
        name,
        tf.tensor(tensor.values as Float32Array, tensor.shape, engineDtype(tensor)),
      ]),
    );
    let results: Record<string, EngineTensor> = {};
    try {
      results = withoutInt64Warning(() => session.predict(feeds)) as Record<string, EngineTensor>;
      const outputs: TensorMap = {};
      for (const [name, result] of Object.entries(results)) {
        const dtype = this.signatures[signatureName]!.outputs?.[name]?.dtype ?? 'DT_FLOAT';
        outputs[name] = {
          dtype,
          shape: result.shape,
          values: hostValues(result.dataSync() as unknown as ArrayLike<unknown>, dtype),
        };
      }
      return outputs;
    } catch (error) {
      if (error instanceof ServingError) throw error;
      // Shapes and dtypes were checked before; what TF still rejects is about the values.
      throw invalidArgument(`${(error as Error).message.split('\n')[0]}`);
    } finally {
      // Every result, also those after one whose copy to the host failed.
      for (const tensor of [...Object.values(feeds), ...Object.values(results)]) tensor.dispose();
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const session of this.sessions.values()) session.dispose();
  }
}

function engineDtype(tensor: HostTensor): 'float32' | 'int32' | 'bool' {
  if (tensor.dtype === 'DT_FLOAT') return 'float32';
  if (tensor.dtype === 'DT_BOOL') return 'bool';
  return 'int32';
}

/** int64 outputs arrive as BigInt64Array and strings as byte arrays; JSON and protos want numbers and text. */
function hostValues(data: ArrayLike<unknown>, dtype: string): TensorValues {
  if (data instanceof Float32Array || data instanceof Int32Array || data instanceof Uint8Array) return data;
  if (dtype === 'DT_STRING')
    return Array.from(data as ArrayLike<Uint8Array>, (bytes) => Buffer.from(bytes).toString('utf8'));
  return Array.from(data as ArrayLike<bigint | number>, Number);
}
