// A SIGBUS handler for memory-mapped checkpoints, for `MappedRegion`.
//
// Tensors loaded from a checkpoint point into a private mapping of the file instead of a copy.
// If another program truncates that file while it is mapped (`cp` over it, a failed download
// rewriting it), touching a page past the new end raises SIGBUS, which would otherwise end the
// process with a core dump and no word of why. The handler names the file in one line and exits
// with status 1, like every other bad input. Everything it does is async-signal-safe: it reads a
// fixed table (entries published with release stores, read with acquire loads), calls write(2)
// and _exit(2).
#include "CPUKernelVariants.h"
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

enum { SPWatchSlots = 256, SPWatchPathBytes = 512 };

typedef struct {
    _Atomic int active;
    uintptr_t start, end;
    char path[SPWatchPathBytes];
} SPWatchedMapping;

static SPWatchedMapping sp_watched[SPWatchSlots];
static _Atomic int sp_handler_installed;
/// The SIGBUS action before ours (the default, or the Swift runtime's backtracer), for faults
/// outside the watched mappings.
static struct sigaction sp_previous_action;

static void sp_write_text(const char *text) {
    size_t length = strlen(text);
    while (length > 0) {
        ssize_t written = write(STDERR_FILENO, text, length);
        if (written <= 0) return;
        text += written;
        length -= (size_t)written;
    }
}

static void sp_sigbus(int signal, siginfo_t *info, void *context) {
    (void)context;
    uintptr_t address = (uintptr_t)info->si_addr;
    for (int slot = 0; slot < SPWatchSlots; slot++) {
        SPWatchedMapping *m = &sp_watched[slot];
        if (atomic_load_explicit(&m->active, memory_order_acquire) == 1 && address >= m->start && address < m->end) {
            sp_write_text("Error: ");
            sp_write_text(m->path);
            sp_write_text(": the file was truncated or rewritten by another program while in use; run again once it is complete\n");
            _exit(1);
        }
    }
    // Not one of ours: the action before ours (returning re-runs the faulting access under it).
    sigaction(signal, &sp_previous_action, NULL);
}

int sp_watch_mapping(const void *start, size_t length, const char *path) {
    int expected = 0;
    if (atomic_compare_exchange_strong(&sp_handler_installed, &expected, 1)) {
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_sigaction = sp_sigbus;
        action.sa_flags = SA_SIGINFO;
        sigemptyset(&action.sa_mask);
        sigaction(SIGBUS, &action, &sp_previous_action);
    }
    for (int slot = 0; slot < SPWatchSlots; slot++) {
        SPWatchedMapping *m = &sp_watched[slot];
        // Claim a free slot (active 0 → 2, "being filled"), fill it, then publish it (→ 1).
        int free = 0;
        if (!atomic_compare_exchange_strong(&m->active, &free, 2)) continue;
        m->start = (uintptr_t)start;
        m->end = (uintptr_t)start + length;
        size_t n = strlen(path);
        if (n >= SPWatchPathBytes) n = SPWatchPathBytes - 1;
        memcpy(m->path, path, n);
        m->path[n] = 0;
        atomic_store_explicit(&m->active, 1, memory_order_release);
        return slot;
    }
    return -1;
}

void sp_unwatch_mapping(int slot) {
    if (slot >= 0 && slot < SPWatchSlots) atomic_store_explicit(&sp_watched[slot].active, 0, memory_order_release);
}
