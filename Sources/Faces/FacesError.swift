import FileAccess
/// Errors of face detection, alignment and paste-back, each one line naming what is wrong.
public enum FacesError: ContextualError, Equatable {
    case missingWeights(directory: String, network: String)
    case invalidLandmarks(String)
    case sizeMismatch(String)

    public var description: String {
        switch self {
        case .missingWeights(let directory, let network):
            "MTCNN weights: neither \(network).npy (pSp) nor \(network).pt (facenet-pytorch) in \(directory)"
        case .invalidLandmarks(let detail): "face landmarks: \(detail)"
        case .sizeMismatch(let detail): detail
        }
    }
}
