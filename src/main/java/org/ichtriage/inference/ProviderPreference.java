package org.ichtriage.inference;

/**
 * Which execution provider to ask for. AUTO and CUDA both try CUDA first and fall back to the CPU
 * (CUDA logs the fallback as a warning, since the operator asked for a GPU); CPU never tries CUDA.
 */
public enum ProviderPreference { AUTO, CUDA, CPU }
