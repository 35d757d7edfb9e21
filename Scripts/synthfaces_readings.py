"""The SynthFaces readings the measurement scripts count as "the other attributes" of an edit.

The face's continuous attributes as `label` writes them; background, lighting and iris colour
are left out (they are not the face's shape). Imported by measure_generator.sh,
measure_latent_structure.sh and measure_walk.sh (their Python runs from the repository root).
"""
FACE_CONTINUOUS = ['faceWidth', 'faceLength', 'jawSquareness', 'chin', 'skinTone', 'hairLength', 'hairLightness', 'hairWarmth',
                   'eyeSize', 'eyeOpenness', 'eyeSpacing', 'browThickness', 'browTilt', 'browRaise', 'noseSize', 'mouthWidth',
                   'smile', 'mouthOpen', 'blush', 'yaw', 'roll']
