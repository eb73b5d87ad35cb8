namespace Quarry.Models.Local;

/// <summary>How an encoder's dense layers (the projections and the feed-forward) multiply.</summary>
public enum ModelPrecision
{
    /// <summary>Single precision throughout: reproduces the reference model to rounding.</summary>
    Float32,

    /// <summary>8-bit integer dot products: weights per output channel, activations per token, quantized symmetrically;
    /// attention, normalization and activations stay in float32.</summary>
    Int8,
}
