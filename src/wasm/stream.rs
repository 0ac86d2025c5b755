//! Reading a `ReadableStream` of bytes (a response body) under a call's control: one chunk at
//! a time, or a bounded prefix.

use js_sys::{JsString, Uint8Array};
use wasm_bindgen::JsCast;
use web_sys::{ReadableStreamDefaultReader, ReadableStreamReadResult, Response};

use super::control::{Control, Interrupt};
use super::globals;

/// The next chunk; `None` at the end of the stream.
pub async fn read_chunk(reader: &ReadableStreamDefaultReader, ctl: &Control) -> Result<Option<Uint8Array>, Interrupt> {
    let result: ReadableStreamReadResult = ctl.wait(reader.read()).await?.unchecked_into();
    if result.get_done().unwrap_or(true) {
        return Ok(None);
    }
    result
        .get_value()
        .dyn_into::<Uint8Array>()
        .map(Some)
        .map_err(|_| Interrupt::Rejected(JsString::from("the stream yielded a chunk that is not bytes").into()))
}

/// The first `cap` bytes of a response body, and whether the body is longer: reading stops
/// there and the rest is cancelled (not downloaded).
pub async fn read_prefix(response: &Response, ctl: &Control, cap: usize) -> Result<(Vec<u8>, bool), Interrupt> {
    let Some(body) = response.body() else { return Ok((Vec::new(), false)) };
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut out = Vec::new();
    while let Some(chunk) = read_chunk(&reader, ctl).await? {
        let room = cap - out.len();
        let length = chunk.length() as usize;
        let take = length.min(room);
        let start = out.len();
        out.resize(start + take, 0);
        chunk.subarray(0, take as u32).copy_to(&mut out[start..]);
        if length > room {
            globals::ignore_rejection(&reader.cancel());
            return Ok((out, true));
        }
    }
    Ok((out, false))
}
