// NeuralNetwork
