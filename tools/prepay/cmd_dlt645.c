/* prepay dlt645: lands with the DL/T 645 codec. */
#include <stdio.h>

#include "commands.h"

int prepay_tool_dlt645(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "prepay dlt645: not built yet\n");
    return 1;
}
