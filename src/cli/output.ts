/**
 * A reader that stops reading early (`paperboy stats | head -3`) closes the pipe: the rest of the output has nowhere
 * to go, which is not an error. End quietly, with success, as `cat` and `ls` do.
 */
export function endQuietlyWhenOutputCloses(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') process.exit(0);
      throw error;
    });
  }
}
