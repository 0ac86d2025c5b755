//! Reading a `ReadableStream` of bytes (a response body) under a call's control: one chunk at
//! a time, or a bounded prefix.
//!
//! A body that is decoded is read, when it is a byte stream, with a BYOB reader into one buffer
//! of its own, given back to the stream at each read: every chunk the network delivers is then
//! copied into that buffer instead of arriving as an `ArrayBuffer` of its own, which would stay
//! in the renderer's memory until a garbage collection (streaming 1 GiB that way left over
//! 100 MiB of such buffers behind at times).

use crate::prelude::*;
use js_sys::{ArrayBuffer, JsString, Promise, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{
    ReadableStream, ReadableStreamByobReader, ReadableStreamDefaultReader, ReadableStreamReadResult, Response,
};

use super::control::{Control, Interrupt};
use super::globals;

/// Bytes of the buffer of a BYOB read: at most this much comes per read.
const BYOB_BYTES: u32 = 256 * 1024;

/// A lock on a stream: its default reader or its BYOB reader.
#[derive(Clone)]
pub enum StreamReader {
    Default(ReadableStreamDefaultReader),
    Byob(ReadableStreamByobReader),
}

impl StreamReader {
    /// Cancels the stream (the promise rejects when it has already failed).
    pub fn cancel_with_reason(&self, reason: &JsValue) -> Promise {
        match self {
            StreamReader::Default(r) => r.cancel_with_reason(reason),
            StreamReader::Byob(r) => r.cancel_with_reason(reason),
        }
    }
}

/// Reads a stream's chunks: those of the stream, or, with [`ChunkReader::reusing`] on a byte
/// stream, chunks read into one buffer that the next read takes back.
pub struct ChunkReader {
    reader: StreamReader,
    /// The BYOB reader's buffer, between reads.
    buffer: Option<ArrayBuffer>,
}

impl ChunkReader {
    /// A reader of the stream's own chunks, which stay valid.
    pub fn new(stream: &ReadableStream) -> ChunkReader {
        ChunkReader { reader: StreamReader::Default(stream.get_reader().unchecked_into()), buffer: None }
    }

    /// A reader whose chunk is valid only until the next read (its buffer is reused), when the
    /// stream is a byte stream; else one of the stream's own chunks.
    pub fn reusing(stream: &ReadableStream) -> ChunkReader {
        match ReadableStreamByobReader::new(stream) {
            Ok(reader) => ChunkReader { reader: StreamReader::Byob(reader), buffer: None },
            Err(_) => ChunkReader::new(stream),
        }
    }

    /// The lock, to cancel the stream with.
    pub fn lock(&self) -> StreamReader {
        self.reader.clone()
    }

    /// The next chunk; `None` at the end of the stream. With a reused buffer, the chunk before
    /// is no longer valid (its buffer has gone back to the stream).
    pub async fn read(&mut self, ctl: &Control) -> Result<Option<Uint8Array>, Interrupt> {
        let byob = matches!(self.reader, StreamReader::Byob(_));
        let read = match &self.reader {
            StreamReader::Default(reader) => reader.read(),
            StreamReader::Byob(reader) => {
                let buffer = self.buffer.take().unwrap_or_else(|| ArrayBuffer::new(BYOB_BYTES));
                let length = buffer.byte_length();
                reader.read_with_array_buffer_view(&Uint8Array::new_with_byte_offset_and_length(&buffer, 0, length))
            }
        };
        let result: ReadableStreamReadResult = ctl.wait(read).await?.unchecked_into();
        let chunk = result.get_value().dyn_into::<Uint8Array>().ok();
        if let (true, Some(chunk)) = (byob, &chunk) {
            self.buffer = Some(chunk.buffer());
        }
        if result.get_done().unwrap_or(true) {
            return Ok(None);
        }
        chunk
            .map(Some)
            .ok_or_else(|| Interrupt::Rejected(JsString::from("the stream yielded a chunk that is not bytes").into()))
    }
}

/// The first `cap` bytes of a response body, and whether the body is longer: reading stops
/// there and the rest is cancelled (not downloaded).
pub async fn read_prefix(response: &Response, ctl: &Control, cap: usize) -> Result<(Vec<u8>, bool), Interrupt> {
    let Some(body) = response.body() else { return Ok((Vec::new(), false)) };
    let mut reader = ChunkReader::new(&body);
    let mut out = Vec::new();
    while let Some(chunk) = reader.read(ctl).await? {
        let room = cap - out.len();
        let length = chunk.length() as usize;
        let take = length.min(room);
        let start = out.len();
        out.resize(start + take, 0);
        chunk.subarray(0, take as u32).copy_to(&mut out[start..]);
        if length > room {
            globals::ignore_rejection(&reader.reader.cancel_with_reason(&JsValue::UNDEFINED));
            return Ok((out, true));
        }
    }
    Ok((out, false))
}
