// The result files of a prediction: the package's `DATASETS` export. The crate declares the
// same list in src/http/endpoint.rs (with the TypeScript type `Dataset`), and a Rust test
// checks that the two agree. No dependency: a page or a Node script can import this module
// alone.

/** Every dataset name, in the order of the API reference. */
export const DATASETS = Object.freeze(['predictions', 'shap', 'coordinate-shap', 'not-predicted-reasons', 'source']);
