import Imaging
import Tensors
import Testing
import TestSupport

@Suite("Tensor conversion")
struct TensorConversionTests {
    let fixtures = try! FixtureFile(named: "imaging/tensors.safetensors", nextTo: #filePath)

    /// `ToTensor()` + `Normalize([0.5]*3, [0.5]*3)` from PyTorch, bit for bit.
    @Test func imageToTensorMatchesTorchvision() throws {
        let pixels = try fixtures.tensor("to_tensor.pixels")  // [H, W, 3]
        let image = Image(width: pixels.shape[1], height: pixels.shape[0], pixels: pixels.scalars.map { UInt8($0) })
        let tensor = image.tensor()
        let expected = try fixtures.tensor("to_tensor.output")
        #expect(tensor.shape == expected.shape)
        #expect(tensor.scalars == expected.scalars)
        let batch = try Image.batchTensor([image, image.flippedHorizontally()])
        #expect(batch.shape == [2, 3, image.height, image.width])
        #expect(Array(batch.scalars[..<tensor.count]) == tensor.scalars)
    }

    /// pSp's `tensor2im`: clip((x + 1) / 2, 0, 1) · 255, truncated by `astype('uint8')`.
    @Test func tensorToImagesMatchesPSpTensor2im() throws {
        let input = try fixtures.tensor("tensor2im.input")  // [2, 3, 4, 5]
        let expected = try fixtures.tensor("tensor2im.output")  // [2, 4, 5, 3]
        let images = try Image.images(from: input)
        #expect(images.count == 2)
        #expect(images.flatMap(\.pixels) == expected.scalars.map { UInt8($0) })
        #expect(try Image.images(from: Tensor(shape: [3, 1, 1], scalars: [-1, 0, 1]))[0].pixels == [0, 127, 255])
        #expect(throws: ImagingError.self) { try Image.images(from: Tensor(shape: [1, 4, 2, 2], scalars: Array(repeating: 0, count: 16))) }
    }

    @Test func roundTripThroughTensorIsExact() throws {
        let image = try Image(contentsOf: Fixtures.url("jpeg_odd_420.jpg"))
        // v/255·2−1 then (x+1)/2·255 lands within float error of v, and truncation can lose a
        // level only when the product falls just below v; check how it behaves on all 256 values.
        let restored = try Image.images(from: image.tensor())[0]
        #expect(PixelDifference(restored.pixels, image.pixels).maximum <= 1)
    }
}
