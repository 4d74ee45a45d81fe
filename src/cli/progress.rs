//! A progress bar on stderr for work that takes a while: shown only on a
//! terminal, never with `--quiet`, and only once the work has run for a
//! second, so quick commands and piped output stay clean.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use spof::engine::Progress;

/// How long work runs before a bar appears. `SPOF_PROGRESS_DELAY_MS`
/// changes it, for the tests that check the bar on a pseudo-terminal.
fn delay() -> Duration {
    let ms = std::env::var("SPOF_PROGRESS_DELAY_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    Duration::from_millis(ms)
}

/// Runs `work`, drawing a bar labelled `what` for the units it counts when
/// `show` (stderr is a terminal and no `--quiet`) and it takes long enough.
pub(super) fn with_bar<T: Send>(
    show: bool,
    what: &str,
    work: impl FnOnce(&Progress) -> T + Send,
) -> T {
    let progress = Progress::default();
    if !show {
        return work(&progress);
    }
    let finished = AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| draw(&progress, &finished, what));
        let result = work(&progress);
        finished.store(true, Ordering::Release);
        result
    })
}

fn draw(progress: &Progress, finished: &AtomicBool, what: &str) {
    let started = Instant::now();
    let delay = delay();
    let tick = Duration::from_millis(50);
    while started.elapsed() < delay {
        if finished.load(Ordering::Acquire) {
            return;
        }
        std::thread::sleep(tick);
    }
    let bar = ProgressBar::with_draw_target(Some(progress.total()), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} ({eta} left)")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    bar.set_style(style);
    bar.set_prefix(what.to_string());
    // Drawn at least once, however soon the work ends from here.
    bar.set_position(progress.done());
    let mut total = progress.total();
    while !finished.load(Ordering::Acquire) {
        let (done, now_total) = progress.now();
        if now_total != total {
            // A new count (the blocks of samples after the targets): its
            // rate is not the last one's.
            total = now_total;
            bar.reset_eta();
        }
        // Both at once: set one after the other, a draw in between showed
        // the last count's position over the new total.
        bar.update(|state| {
            state.set_len(now_total);
            state.set_pos(done);
        });
        std::thread::sleep(tick);
    }
    bar.finish_and_clear();
}
