#include <glib.h>
#include <stddef.h>
int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);
int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
	return 0;
}
