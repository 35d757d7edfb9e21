import StyleGAN
import Tensors
import Testing

/// `LatentEditing.restricted`: a direction moved onto some W+ rows only (`edit-rows`).
@Suite struct RestrictedDirectionTests {
    @Test("an InterFaceGAN [1, D] direction fills the chosen rows and leaves the others zero")
    func fromInterFaceGAN() throws {
        let direction = Tensor(shape: [1, 3], scalars: [1, -2, 0.5])
        let restricted = try LatentEditing.restricted(direction, to: 2..<4, rows: 5, dimension: 3)
        #expect(restricted.shape == [5, 3])
        #expect(restricted.scalars == [0, 0, 0, 0, 0, 0, 1, -2, 0.5, 1, -2, 0.5, 0, 0, 0])
        // Applied, it moves only those rows of the latents.
        let latents = Tensor(shape: [1, 5, 3], scalars: (0..<15).map(Float.init))
        let edited = try LatentEditing.apply(restricted, to: latents, strength: 2)
        let moved = zip(edited.scalars, latents.scalars).map { $0 - $1 }
        #expect(moved == [0, 0, 0, 0, 0, 0, 2, -4, 1, 2, -4, 1, 0, 0, 0])
    }

    @Test("a W+ [n, D] direction keeps each chosen row's own values")
    func fromWPlus() throws {
        let direction = Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6])
        #expect(try LatentEditing.restricted(direction, to: 0..<1, rows: 3, dimension: 2).scalars == [1, 2, 0, 0, 0, 0])
        #expect(try LatentEditing.restricted(direction, to: 0..<3, rows: 3, dimension: 2).scalars == direction.scalars)
    }

    @Test("rows outside the latents, an empty range or a direction of another width are refused")
    func refusals() {
        let direction = Tensor(shape: [1, 3], scalars: [1, 2, 3])
        #expect(throws: EditError.self) { try LatentEditing.restricted(direction, to: 4..<6, rows: 5, dimension: 3) }
        #expect(throws: EditError.self) { try LatentEditing.restricted(direction, to: 2..<2, rows: 5, dimension: 3) }
        #expect(throws: EditError.self) { try LatentEditing.restricted(direction, to: 0..<2, rows: 5, dimension: 4) }
    }
}
