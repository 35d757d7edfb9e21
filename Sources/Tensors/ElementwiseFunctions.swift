import Foundation

// Elementwise functions as types. A closure handed through the thread pool is called once per
// element and never inlined (perf showed `+` spending most of its time in the call); a value of
// a concrete type conforming to these protocols specialises the loop, which then vectorises.

/// A function of one float, applied by `mapElements`.
protocol UnaryFunction {
    func callAsFunction(_ x: Float) -> Float
}

/// A function of two floats, applied by `zipElements`.
protocol BinaryFunction {
    func callAsFunction(_ a: Float, _ b: Float) -> Float
}

/// Adapts a closure for the rarely used ops.
struct UnaryClosure: UnaryFunction {
    let body: (Float) -> Float
    @inline(__always) func callAsFunction(_ x: Float) -> Float { body(x) }
}

struct BinaryClosure: BinaryFunction {
    let body: (Float, Float) -> Float
    @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { body(a, b) }
}

enum Elementwise {
    struct Add: BinaryFunction { @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a + b } }
    struct Subtract: BinaryFunction { @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a - b } }
    struct Multiply: BinaryFunction { @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a * b } }
    struct Divide: BinaryFunction { @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a / b } }

    struct Negate: UnaryFunction { @inline(__always) func callAsFunction(_ x: Float) -> Float { -x } }
    struct AddScalar: UnaryFunction {
        let value: Float
        @inline(__always) func callAsFunction(_ x: Float) -> Float { x + value }
    }
    struct MultiplyScalar: UnaryFunction {
        let value: Float
        @inline(__always) func callAsFunction(_ x: Float) -> Float { x * value }
    }
    struct Relu: UnaryFunction { @inline(__always) func callAsFunction(_ x: Float) -> Float { Swift.max(x, 0) } }
    struct LeakyRelu: UnaryFunction {
        let slope: Float, scale: Float
        @inline(__always) func callAsFunction(_ x: Float) -> Float { x >= 0 ? x * scale : x * slope * scale }
    }
    struct LeakyReluDerivative: UnaryFunction {
        let slope: Float, scale: Float
        @inline(__always) func callAsFunction(_ x: Float) -> Float { x > 0 ? scale : slope * scale }
    }
    struct Step: UnaryFunction {
        let threshold: Float
        @inline(__always) func callAsFunction(_ x: Float) -> Float { x > threshold ? 1 : 0 }
    }
    struct Clamp: UnaryFunction {
        let minimum: Float, maximum: Float
        @inline(__always) func callAsFunction(_ x: Float) -> Float { Swift.min(Swift.max(x, minimum), maximum) }
    }
    struct SquareRoot: UnaryFunction { @inline(__always) func callAsFunction(_ x: Float) -> Float { x.squareRoot() } }
    struct ReciprocalSquareRoot: UnaryFunction { @inline(__always) func callAsFunction(_ x: Float) -> Float { 1 / x.squareRoot() } }
    struct Exp: UnaryFunction { @inline(__always) func callAsFunction(_ x: Float) -> Float { Foundation.exp(x) } }
    struct Sigmoid: UnaryFunction { @inline(__always) func callAsFunction(_ x: Float) -> Float { 1 / (1 + Foundation.exp(-x)) } }
    struct Tanh: UnaryFunction { @inline(__always) func callAsFunction(_ x: Float) -> Float { Foundation.tanh(x) } }
    struct Gelu: UnaryFunction {
        @inline(__always) func callAsFunction(_ x: Float) -> Float { 0.5 * x * (1 + erf(x * Float(0.5).squareRoot())) }
    }
    struct GeluDerivative: UnaryFunction {
        @inline(__always) func callAsFunction(_ x: Float) -> Float {
            0.5 * (1 + erf(x * Float(0.5).squareRoot())) + x * (1 / Float(2 * Double.pi).squareRoot()) * Foundation.exp(-0.5 * x * x)
        }
    }

    /// The error function in float, as a rational polynomial on [−4, 4] (Eigen's
    /// `generic_fast_erf_float`, a few ulp from libm's `erff`) so GELU loops vectorise.
    @inline(__always)
    static func erf(_ value: Float) -> Float {
        let x = Swift.min(Swift.max(value, -4), 4)
        let x2 = x * x
        var p: Float = -2.72614225801306e-10
        p = p * x2 + 2.77068142495902e-08
        p = p * x2 + -2.10102402082508e-06
        p = p * x2 + -5.69250639462346e-05
        p = p * x2 + -7.34990630326855e-04
        p = p * x2 + -2.954600549088e-03
        p = p * x2 + -1.60960333262415e-02
        p = p * x
        var q: Float = -1.45660718464996e-05
        q = q * x2 + -2.13374055278905e-04
        q = q * x2 + -1.68282697438203e-03
        q = q * x2 + -7.37332916720468e-03
        q = q * x2 + -1.42647390514189e-02
        return p / q
    }
}
