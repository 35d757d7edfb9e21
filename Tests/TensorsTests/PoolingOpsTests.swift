import Tensors
import Testing

/// `maxPool2d`'s ceil mode (MTCNN's pools): PyTorch's output size rule and clipped edge windows.
@Suite struct PoolingOpsTests {
    @Test func ceilModeKeepsThePartialLastWindow() {
        let x = Tensor(shape: [1, 1, 5, 5], scalars: (0..<25).map(Float.init))
        let floor = x.maxPool2d(kernel: 2, stride: 2)
        let ceil = x.maxPool2d(kernel: 2, stride: 2, ceilMode: true)
        #expect(floor.shape == [1, 1, 2, 2])
        #expect(ceil.shape == [1, 1, 3, 3])
        #expect(ceil.scalars == [6, 8, 9, 16, 18, 19, 21, 23, 24])
        // PyTorch drops a last window that would start in the padding: 4 px, kernel 3, stride 2.
        #expect(Tensor.zeros([1, 1, 4, 4]).maxPool2d(kernel: 3, stride: 2, ceilMode: true).shape == [1, 1, 2, 2])
        #expect(Tensor.zeros([1, 1, 6, 6]).maxPool2d(kernel: 3, stride: 2, padding: 1, ceilMode: true).shape == [1, 1, 4, 4])   // torch 2.13: [1, 1, 4, 4]
    }
}
