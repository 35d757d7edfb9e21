// Perceptual
