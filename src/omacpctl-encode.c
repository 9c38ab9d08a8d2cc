/* placeholder */
#include "omacpctl.h"

int
omacpctl_encode_main(int argc, char **argv)
{
	return OMACPCTL_EXIT_FAILURE;
}
