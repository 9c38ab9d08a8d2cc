/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* A bump allocator: many small objects (the nodes and strings of one
 * document) cost a few allocations and are freed at once. Blocks double in
 * size; nothing is freed before omacp_arena_clear(). */

#include <glib.h>
#include <string.h>

G_BEGIN_DECLS

typedef struct _OmacpArenaBlock OmacpArenaBlock;

struct _OmacpArenaBlock {
	OmacpArenaBlock *next;
	gsize size; /* octets of data */
	gsize used;
	guint64 data[]; /* 8-aligned */
};

#define OMACP_ARENA_SMALL_BLOCK  (1000 - sizeof(OmacpArenaBlock))
#define OMACP_ARENA_SMALL_BLOCKS 16

typedef struct {
	OmacpArenaBlock *head; /* the block being filled; older ones behind it */
	guint n_blocks;
} OmacpArena;

/* @n octets, 8-aligned, not initialised. */
static inline gpointer
omacp_arena_alloc_raw(OmacpArena *arena, gsize n)
{
	OmacpArenaBlock *block = arena->head;
	gpointer out;

	n = (n + 7) & ~(gsize) 7;
	if (G_UNLIKELY(block == NULL || block->size - block->used < n)) {
		gsize size = arena->n_blocks < OMACP_ARENA_SMALL_BLOCKS ? OMACP_ARENA_SMALL_BLOCK
		                                                        : block->size * 2;

		if (size < n)
			size = n;
		block = g_malloc(sizeof *block + size);
		block->size = size;
		block->used = 0;
		block->next = arena->head;
		arena->head = block;
		arena->n_blocks++;
	}
	out = (guint8 *) block->data + block->used;
	block->used += n;
	return out;
}

/* @n octets, 8-aligned, zeroed. */
static inline gpointer
omacp_arena_alloc(OmacpArena *arena, gsize n)
{
	gpointer out = omacp_arena_alloc_raw(arena, n);

	memset(out, 0, n);
	return out;
}

static inline char *
omacp_arena_strndup(OmacpArena *arena, const char *s, gsize n)
{
	char *out = omacp_arena_alloc_raw(arena, n + 1);

	memcpy(out, s, n);
	out[n] = '\0';
	return out;
}

static inline char *
omacp_arena_strdup(OmacpArena *arena, const char *s)
{
	return s != NULL ? omacp_arena_strndup(arena, s, strlen(s)) : NULL;
}

/* Frees every block; with @wipe their contents are zeroed first (the arena
 * held secrets). */
static inline void
omacp_arena_clear(OmacpArena *arena, gboolean wipe)
{
	while (arena->head != NULL) {
		OmacpArenaBlock *block = arena->head;

		arena->head = block->next;
		if (wipe)
			explicit_bzero(block->data, block->used);
		g_free(block);
	}
	arena->n_blocks = 0;
}

G_END_DECLS
