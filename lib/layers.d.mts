/** Types of lib/layers.mjs (plain JavaScript, so eslint.config.mjs can import it). */
export declare const LAYERS: readonly (readonly string[])[];
export declare function layerZones(): { target: string; from: string[]; message: string }[];
