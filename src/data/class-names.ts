/** Human names of the ten classes, for `data show` and `data info`. */
const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

export function classNames(datasetName: string, numClasses: number): string[] {
  if (datasetName === 'fashion-mnist') return [...FASHION_MNIST_CLASSES];
  return Array.from({ length: numClasses }, (_, i) => String(i));
}
