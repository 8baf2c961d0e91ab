// Boost.Process v2 compiled once, here. Boost 1.81's header-only mode leaves
// process_environment::on_setup undefined, so the module builds it separately and every
// user of the Boost.Process headers gets BOOST_PROCESS_V2_SEPARATE_COMPILATION from the
// sandbox target.
#include <boost/process/v2/src.hpp>
