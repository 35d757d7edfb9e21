import Tensors
import Testing
import TestSupport

@Suite("Tensor basics")
struct TensorTests {
    @Test func shapeQueriesAndCopies() {
        let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(x.count == 6 && x.rank == 2 && x.size(-1) == 3 && x.size(0) == 2)
        let y = x.copy()
        y.data[0] = 100
        #expect(x.scalars[0] == 1 && y.storage !== x.storage)
        #expect(x.maxElement() == 6)
        #expect(Tensor(shape: [1, 1], scalars: [7]).item() == 7)
        #expect(x.zerosLike().shape == [2, 3] && x.zerosLike().scalars.allSatisfy { $0 == 0 })
    }

    @Test func assignWritesInPlaceWithoutRecording() {
        let w = Tensor(shape: [3], scalars: [1, 2, 3], requiresGrad: true)
        let view = w.reshape([3, 1])
        w.assign([4, 5, 6])
        #expect(view.scalars == [4, 5, 6])   // same storage
        w.assign(Tensor(shape: [3], scalars: [7, 8, 9]))
        #expect(w.scalars == [7, 8, 9] && w.requiresGrad && w.grad == nil)
    }
}
