/**
 * A reader that stops reading early (`paperboy stats | head -3`) closes the pipe: the rest of the output has nowhere
 * to go, which is not an error. A command that only prints ends quietly, with success, as `cat` and `ls` do; one
 * that does work (serve, import…) goes on without its output rather than stopping halfway or claiming success.
 */
export function endQuietlyWhenOutputCloses(command: string | undefined): void {
  const printsOnly = command === undefined || ['stats', 'accounts', 'help', '--help', '-h'].includes(command);
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
      if (printsOnly) process.exit(0);
    });
  }
}
