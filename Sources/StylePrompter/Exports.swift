// What an app needs to invert and edit, behind one import: `import StylePrompter`.
@_exported import Checkpoints
@_exported import DefaultModel
@_exported import Imaging
@_exported import Inversion
@_exported import StyleGAN
@_exported import Tensors
