/* unit-deps: src/analytics/forecast_residuals.c src/analytics/forecast_engine.c src/analytics/ets.c src/analytics/nelder_mead.c src/analytics/arima.c src/analytics/arima_auto.c src/analytics/stl.c src/analytics/seasonality.c src/analytics/forecast_baselines.c src/analytics/forecast_stats.c */
/*
 * test_forecast_residuals.c
 *		The forecasting engine's in-sample one-step-ahead fitted values
 *		(FcRequest.want_fitted) against R's fitted() for ETS, ARIMA, Theta
 *		and the benchmark methods, and fc_residual_band: its scale against
 *		R's mad(), planted spikes in a seasonal series scored above 5 and
 *		nothing above 5 without them (short and long series, so both the
 *		ARIMA-based and the ETS-based 'auto' are exercised), missing values,
 *		constant series, the method rule for long series and the errors.
 *
 * Reference values were printed once by R 4.2.2 with forecast 8.20 and are
 * embedded because CI has no R.  The script (run with Rscript file.R):
 *
 *   suppressMessages(library(forecast))
 *   emit <- function(name, v) {
 *     v <- as.numeric(v)
 *     s <- ifelse(is.na(v), "NAN", sprintf("%.10g", v))
 *     lines <- sapply(split(s, ceiling(seq_along(s) / 6)), paste, collapse = ", ")
 *     cat(sprintf("static const double %s[%d] = {\n\t%s\n};\n", name, length(v),
 *                 paste(lines, collapse = ",\n\t")))
 *   }
 *   emit("r_fitted_ets_nile", fitted(ets(Nile)))                  # ETS(M,N,N)
 *   emit("r_fitted_ets_ann_nile", fitted(ets(Nile, model = "ANN")))
 *   emit("r_fitted_arima_nile", fitted(auto.arima(Nile)))         # ARIMA(1,1,1)
 *   emit("r_fitted_theta_nile", fitted(thetaf(Nile)))
 *   emit("r_fitted_drift_nile", fitted(rwf(Nile, drift = TRUE)))
 *   emit("r_fitted_ets_mam_air", fitted(ets(AirPassengers, model = "MAM")))  # ETS(M,Ad,M)
 *   emit("r_fitted_arima_air", fitted(auto.arima(AirPassengers))) # ARIMA(2,1,1)(0,1,0)[12]
 *   emit("r_fitted_theta_air", fitted(thetaf(AirPassengers)))     # seasonally adjusted
 *   r <- Nile - fitted(ets(Nile))
 *   cat(sprintf("#define R_MAD_ETS_NILE %.10g\n", mad(r)))
 *
 * Tolerances (relative, per fitted value): ETS 1e-6, since the fits
 * reproduce ets()'s optimiser and agree to ~1e-9; ARIMA 1e-4, since the
 * exact likelihood here and R's diffuse prior give coefficients ~1e-5 apart
 * (arima.h); Theta 1e-3, since the least squares optimum here can sit a
 * little away from where R's Nelder-Mead stops (forecast_baselines.h; the
 * largest gap seen is 8e-5); drift 1e-9 (closed form).  R reports values
 * where the engine has none (ARIMA's first d + D*m, which only start the
 * differencing): those are checked to be NaN and left out.
 */
#include "util/portable.h"

#include <math.h>
#include <string.h>

#include "analytics/forecast_engine.h"
#include "analytics/forecast_residuals.h"

#define TAP_RNG_SEED	0xF0CA57E5ED0A11CEULL
#include "tap.h"
#include "r_datasets.h"

#define PI 3.14159265358979323846

static const double r_fitted_ets_nile[100] = {
	1087.771825, 1092.651273, 1102.848083, 1081.674641, 1101.103506, 1110.020622,
	1117.587658, 1071.472122, 1095.473745, 1137.037889, 1137.486362, 1115.913476,
	1088.522603, 1091.774349, 1076.971003, 1068.345412, 1051.941574, 1071.330025,
	1030.098397, 1019.182471, 1037.474628, 1046.941167, 1071.628791, 1083.49444,
	1108.703909, 1131.610616, 1144.993049, 1127.582737, 1123.406623, 1070.505354,
	1035.606114, 1011.138436, 963.1226731, 959.6218271, 940.4508816, 904.19726,
	905.9842322, 873.5863419, 895.7538333, 919.1071913, 926.6611205, 912.177724,
	883.9898271, 819.1908122, 819.9189384, 802.0656378, 850.2019069, 888.0221291,
	879.5402014, 862.0470491, 855.8323959, 842.534293, 842.9076089, 846.1010637,
	848.508213, 825.720793, 828.639726, 815.8250035, 812.8234352, 847.2186864,
	833.8620979, 825.8586089, 831.7847395, 833.7855718, 850.4723852, 870.6888888,
	874.6724744, 866.697695, 888.3941177, 870.6202766, 841.1541505, 812.0614037,
	817.1998146, 816.4125462, 805.1462511, 804.5184956, 840.1711409, 843.173293,
	847.840554, 847.8646947, 854.2441133, 837.5528055, 824.1456304, 826.2432258,
	860.1207099, 868.8838177, 886.6155785, 873.0474962, 880.6104634, 894.9013381,
	882.8040225, 903.5759279, 903.9429401, 903.4973696, 943.8467117, 939.0250187,
	909.8004197, 911.1932653, 881.9431932, 856.516062
};
static const double r_fitted_ets_ann_nile[100] = {
	1110.68686, 1112.973551, 1124.520137, 1084.861474, 1115.587219, 1126.492061,
	1134.719395, 1055.726389, 1098.516462, 1165.174864, 1158.993582, 1118.727604,
	1073.616256, 1082.549697, 1060.807748, 1050.788064, 1028.49652, 1065.695755,
	1000.212916, 989.8482156, 1026.715563, 1044.709374, 1085.29382, 1101.181378,
	1137.721389, 1167.744929, 1180.575318, 1143.603979, 1132.897725, 1044.776181,
	994.496694, 964.9106753, 898.3929307, 908.6088752, 890.044336, 843.62755,
	861.3974372, 819.8046301, 868.9593726, 913.4109771, 927.0599646, 903.4739905,
	859.8981161, 760.7274515, 776.2630047, 758.0289223, 846.9050792, 909.0484527,
	890.1304485, 859.1611523, 849.7912972, 829.708764, 833.4632803, 840.961079,
	846.1268466, 809.7566898, 818.4101159, 800.1399127, 799.1234239, 858.2667801,
	833.8934241, 820.9062974, 831.7327945, 834.9903427, 861.7559049, 891.7709698,
	893.0548738, 875.6084962, 908.6061612, 874.8191889, 826.0023455, 782.5422759,
	798.123296, 801.5304967, 786.9137439, 790.3723968, 851.6644264, 853.711092,
	858.692706, 856.0672846, 864.3989153, 834.8369045, 813.7610378, 819.7125238,
	876.2558974, 886.5054881, 910.93476, 882.9599182, 892.7911142, 912.9761795,
	888.9197097, 921.1043597, 917.3957279, 913.3700215, 976.3813714, 960.5735646,
	907.8884884, 910.6167408, 863.3228084, 826.6590025
};
static const double r_fitted_arima_nile[100] = {
	1118.880001, 1126.321575, 1127.960964, 1053.814247, 1145.564628, 1135.983743,
	1132.278615, 1001.389856, 1142.415045, 1208.493457, 1139.794948, 1083.019417,
	1048.69071, 1100.81157, 1057.491229, 1059.136378, 1031.443232, 1105.96327,
	970.1294044, 1009.117247, 1071.966783, 1065.381408, 1111.618327, 1101.225771,
	1145.432053, 1162.41791, 1159.484827, 1094.847014, 1113.284086, 987.6340083,
	985.8321657, 980.3954907, 898.5567492, 966.3471296, 922.3419349, 860.904434,
	922.5277852, 836.5331608, 943.0599002, 964.1512563, 944.1572321, 894.8111295,
	846.8542456, 728.9793155, 834.5476109, 786.8314788, 935.0927364, 950.7611578,
	867.6418624, 837.2998435, 849.74744, 825.9767199, 847.9576576, 854.8098626,
	855.2060895, 793.7026512, 837.5517121, 800.0854434, 812.7985495, 903.4615643,
	813.8007507, 815.2684994, 842.895082, 838.0725877, 876.5877625, 900.2819116,
	877.738529, 851.6452229, 919.3981474, 839.9254603, 795.1279266, 769.8677085,
	829.5611549, 818.7022176, 791.2422022, 807.4782649, 897.5390518, 847.0274039,
	853.9834719, 846.6167148, 862.76069, 810.6748186, 804.184059, 831.079308,
	912.5601911, 879.6678444, 910.3484485, 848.0058125, 889.4956457, 913.4848453,
	860.3897661, 932.6250202, 900.2755623, 899.0948858, 1001.617885, 924.7104394,
	859.9916476, 911.4249, 835.9510948, 819.5844019
};
static const double r_fitted_theta_nile[100] = {
	1110.734097, 1113.010434, 1124.554274, 1084.865534, 1115.607087, 1126.513012,
	1134.739698, 1055.698501, 1098.518828, 1165.213106, 1159.019049, 1118.724792,
	1073.589462, 1082.534371, 1060.784296, 1050.764893, 1028.466849, 1065.693719,
	1000.175565, 989.814372, 1026.710198, 1044.715168, 1085.320388, 1101.210109,
	1137.763047, 1167.792773, 1180.618426, 1143.616276, 1132.901146, 1044.730564,
	994.4347842, 964.8477932, 898.3091159, 908.5512384, 889.9907052, 843.5617076,
	861.3574891, 819.7517475, 868.9463659, 913.4254779, 927.0783682, 903.4749728,
	859.8750239, 760.6557925, 776.217447, 757.9845838, 846.9202427, 909.0938794,
	890.1543684, 859.1622576, 849.7870063, 829.6945434, 833.4546067, 840.9586371,
	846.1278299, 809.7375394, 818.400403, 800.1225933, 799.1098035, 858.2888533,
	833.896744, 820.9016986, 831.7352469, 834.9939743, 861.7732834, 891.8004952,
	893.0778479, 875.6162843, 908.6300836, 874.8187551, 825.9753186, 782.4981188,
	798.0985087, 801.5136624, 786.8930509, 790.358679, 851.6876014, 853.729693,
	858.7094619, 856.0784882, 864.4119234, 834.8305485, 813.7447161, 819.7034669,
	876.279991, 886.5292686, 910.9660595, 882.9682281, 892.8027596, 912.9960039,
	888.9215065, 921.123318, 917.4080004, 913.3770772, 976.4211569, 960.5949302,
	907.8757899, 910.6086541, 863.2908416, 826.6148362
};
static const double r_fitted_drift_nile[100] = {
	NAN, 1116.161616, 1156.161616, 959.1616162, 1206.161616, 1156.161616,
	1156.161616, 809.1616162, 1226.161616, 1366.161616, 1136.161616, 991.1616162,
	931.1616162, 1106.161616, 990.1616162, 1016.161616, 956.1616162, 1176.161616,
	795.1616162, 954.1616162, 1136.161616, 1096.161616, 1206.161616, 1146.161616,
	1246.161616, 1256.161616, 1216.161616, 1026.161616, 1096.161616, 770.1616162,
	836.1616162, 870.1616162, 690.1616162, 936.1616162, 829.1616162, 697.1616162,
	912.1616162, 688.1616162, 1016.161616, 1046.161616, 965.1616162, 827.1616162,
	722.1616162, 452.1616162, 820.1616162, 698.1616162, 1116.161616, 1096.161616,
	828.1616162, 760.1616162, 817.1616162, 764.1616162, 841.1616162, 860.1616162,
	858.1616162, 694.1616162, 841.1616162, 740.1616162, 792.1616162, 1036.161616,
	755.1616162, 777.1616162, 861.1616162, 841.1616162, 940.1616162, 980.1616162,
	893.1616162, 818.1616162, 1006.161616, 767.1616162, 672.1616162, 645.1616162,
	842.1616162, 808.1616162, 738.1616162, 797.1616162, 1036.161616, 856.1616162,
	870.1616162, 844.1616162, 886.1616162, 740.1616162, 745.1616162, 834.1616162,
	1046.161616, 914.1616162, 982.1616162, 793.1616162, 919.1616162, 971.1616162,
	811.1616162, 1016.161616, 902.1616162, 897.1616162, 1166.161616, 908.1616162,
	742.1616162, 915.1616162, 714.1616162, 710.1616162
};
static const double r_fitted_ets_mam_air[144] = {
	111.1744146, 110.9452575, 134.0442623, 130.3057729, 130.8134279, 142.1734029,
	153.6716658, 149.70578, 130.1000123, 117.9816888, 103.9285442, 117.4305872,
	120.4176534, 115.0648409, 141.3033503, 138.0302942, 136.7660004, 146.7163488,
	165.6683326, 168.348955, 148.1758106, 136.0521668, 116.9564962, 129.3846632,
	139.7274214, 141.5939958, 169.6582352, 171.7933107, 166.5828032, 194.9991116,
	204.283848, 199.8826059, 173.9754453, 158.6172462, 140.5921969, 162.7796468,
	168.3847401, 167.899589, 202.8217109, 191.2790462, 184.7832539, 209.4675924,
	240.5770318, 232.1556823, 208.8154475, 182.8725384, 164.6436189, 191.3890338,
	197.0557616, 193.4796267, 224.0761472, 227.1259738, 234.0554685, 263.3752865,
	277.6607924, 266.7075243, 235.9055361, 206.94072, 182.8866379, 203.301141,
	205.1241646, 200.8844301, 219.2064978, 224.3319545, 226.7559282, 264.3588165,
	294.260424, 298.3825696, 256.7963578, 225.7991635, 198.6941766, 226.8413245,
	232.3988514, 235.4691592, 267.7772853, 260.3881254, 267.429195, 307.1686305,
	348.8305594, 358.4311962, 305.7400919, 271.4278456, 238.3245045, 267.0794786,
	279.9835059, 278.5834119, 318.1156542, 309.4111857, 313.138551, 361.3057173,
	413.2768523, 411.660744, 355.1741697, 310.6056889, 267.8758134, 303.7714619,
	310.8094954, 308.8051892, 347.3036417, 344.4361613, 348.0534403, 402.6206416,
	464.5293522, 463.1344807, 406.6683814, 354.1112505, 304.2251605, 342.704107,
	343.7601683, 335.3293988, 369.3835605, 354.0385229, 349.9183206, 408.7946829,
	475.9393449, 484.1981888, 435.2541576, 360.7286754, 312.8550417, 348.9340204,
	345.665557, 349.4984662, 393.4163748, 391.3989642, 395.2728232, 470.4866279,
	525.3069249, 538.9840931, 482.7416815, 409.7206932, 355.1930298, 404.7017187,
	411.8995919, 408.6719476, 453.2433504, 416.8520667, 449.1491226, 530.5757519,
	594.8232006, 611.6461638, 530.1039891, 449.5207683, 398.7342179, 441.0488508
};
static const double r_fitted_arima_air[144] = {
	111.9353368, 117.9664342, 131.9661939, 128.9774481, 120.9892461, 134.9781741,
	147.9692071, 147.9730724, 135.9874251, 119.0048561, 104.0187467, 118.0777757,
	115.4269937, 121.3807036, 138.5311824, 137.2522226, 127.5179705, 139.7864816,
	158.9158696, 166.3207413, 156.2022858, 139.1630793, 119.104669, 128.9974458,
	132.8129952, 151.5147348, 164.7662114, 165.5934073, 153.1412971, 186.9834788,
	201.0564336, 197.1597527, 185.1990188, 158.4084838, 140.6879206, 169.2311711,
	171.21505, 174.9573431, 205.3872993, 181.9982796, 189.511067, 191.969247,
	229.3659451, 230.2887084, 220.7254737, 190.305637, 172.8446228, 191.9035502,
	197.4932444, 205.0668644, 211.9492105, 214.7030196, 229.4790401, 261.9978322,
	259.3788899, 272.3394337, 238.8716489, 218.762823, 194.3686192, 207.1909835,
	205.8921455, 206.1940236, 236.4992944, 236.1932403, 227.349223, 247.7618353,
	281.4459044, 303.3972172, 261.6971214, 232.5911738, 199.3564122, 222.5606021,
	229.7559129, 221.0431349, 274.5806333, 260.1968083, 270.5410598, 299.1164243,
	345.0986536, 346.2332439, 309.8394411, 277.5670245, 246.5073297, 264.069058,
	283.9172272, 273.963716, 307.7212201, 313.9007591, 312.5977024, 358.8094527,
	415.507031, 394.8640946, 363.2702493, 318.0958657, 271.0990165, 310.9291497,
	313.690342, 307.2136607, 343.5752703, 347.2471419, 353.0923087, 409.4686633,
	455.6902676, 452.610516, 409.6920305, 354.9782026, 312.2740955, 341.2513724,
	346.2680847, 328.3115709, 377.2766764, 360.7205332, 361.5534488, 432.0632092,
	479.8147024, 490.8437753, 438.0323084, 360.3301016, 317.313134, 346.5758692,
	346.5193598, 335.2348527, 385.8185145, 384.9676281, 406.841933, 485.3013389,
	531.0697754, 553.0149435, 454.6234932, 412.1129563, 357.535759, 384.64747,
	418.4120239, 397.2579184, 454.0138326, 420.2104742, 468.2327168, 523.6974208,
	603.6760878, 623.9210636, 513.859111, 450.7760146, 410.8954836, 439.9468256
};
static const double r_fitted_theta_air[144] = {
	113.4777447, 108.9591145, 132.8521819, 128.0115571, 129.5620455, 138.7759971,
	149.4788444, 147.4368847, 128.5798053, 117.16192, 103.173869, 116.5249798,
	119.2550505, 112.3088689, 141.1123343, 136.6141952, 136.0203285, 143.7638155,
	163.2986079, 167.9976686, 147.5018315, 135.8497929, 116.0035673, 128.2588325,
	139.8474299, 139.9502487, 169.1467836, 171.0494638, 165.227291, 193.7832867,
	199.0228861, 197.9256578, 172.8429744, 158.3555314, 140.2941047, 162.7556464,
	167.5734514, 165.4621549, 202.5177612, 188.4685767, 183.2334429, 207.545021,
	238.4204416, 230.1128276, 208.6985987, 181.6158915, 164.6910616, 191.6326951,
	196.0728732, 190.2826105, 222.389875, 226.4904157, 234.9292677, 260.7518816,
	271.0211005, 263.7028304, 235.2845251, 205.7534853, 182.6582709, 202.421978,
	203.7843074, 198.0033284, 216.1774141, 224.7023468, 227.8979349, 264.2079153,
	291.0308006, 298.5938983, 255.4994953, 224.6236924, 198.4263306, 226.908806,
	231.562386, 233.28262, 265.6810888, 258.4542225, 268.7876891, 305.9275707,
	345.5858029, 359.0566364, 303.3542661, 269.9645826, 237.5877544, 265.9921667,
	279.5548189, 274.9988471, 315.4203264, 306.8517244, 313.7518881, 359.7958435,
	409.700722, 410.2302695, 352.8119488, 308.2499548, 266.2880777, 303.1713725,
	309.4183418, 304.9137492, 343.8753063, 342.9762702, 349.1316153, 401.4517308,
	461.4740871, 461.9119999, 405.2543918, 351.3251841, 302.2173418, 341.6664076,
	341.1948305, 330.2503611, 364.797962, 351.1344448, 350.4626839, 409.2959667,
	474.8812742, 485.7390619, 436.2894934, 355.7018306, 311.5724962, 348.0685354,
	343.0951268, 346.8149785, 390.7835563, 390.928795, 397.3930108, 472.0752278,
	520.2747698, 540.5573482, 483.3481414, 405.2993884, 353.5186963, 404.5761955,
	410.0697691, 403.7199921, 448.1075902, 410.4896923, 455.3437358, 532.1323294,
	589.1901279, 613.3359674, 527.8420909, 444.3410756, 398.3452423, 439.0515996
};
#define R_MAD_ETS_NILE 140.8845521

/* ------------------------------------------------------------- helpers */

/* N(0, 1) by Box-Muller from tap.h's xorshift */
static double
normal(void)
{
	double		u1 = ((double) (rng() >> 11) + 0.5) / 9007199254740992.0,
				u2 = ((double) (rng() >> 11) + 0.5) / 9007199254740992.0;

	return sqrt(-2 * log(u1)) * cos(2 * PI * u2);
}

/* fc_forecast with want_fitted; period 0 = no season */
static FcStatus
fit(const double *y, int n, FcMethod method, int period, const char *ets_model,
	bool want_fitted, FcResult *res)
{
	FcRequest	req;

	fc_request_init(&req);
	req.y = y;
	req.n = n;
	req.horizon = 1;
	req.method = method;
	req.n_periods = period > 1 ? 1 : 0;
	req.periods[0] = period;
	req.ets_model = ets_model;
	req.want_fitted = want_fitted;
	return fc_forecast(&req, res);
}

/*
 * The engine's fitted values against R's: the first `leading_nan` are NaN
 * (and only those), the rest within relative tolerance tol.
 */
static void
check_fitted(const char *what, const double *y, int n, FcMethod method, int period,
			 const char *ets_model, const char *model, const double *ref, double tol,
			 int leading_nan)
{
	FcResult	res;
	FcStatus	st = fit(y, n, method, period, ets_model, true, &res);
	double		worst = 0;
	bool		nan_ok = true;
	int			t;
	char		label[200];

	if (st != FC_OK || res.fitted == NULL)
	{
		snprintf(label, sizeof(label), "%s: fitted values returned", what);
		check(false, label);
		fc_result_free(&res);
		return;
	}
	for (t = 0; t < n; t++)
	{
		if (t < leading_nan)
		{
			nan_ok = nan_ok && isnan(res.fitted[t]);
			continue;
		}
		if (!isfinite(res.fitted[t]))
		{
			nan_ok = false;
			continue;
		}
		worst = fmax(worst, fabs(res.fitted[t] - ref[t]) / fabs(ref[t]));
	}
	printf("# %s: %s, largest relative difference %.3g\n", what, res.model, worst);
	snprintf(label, sizeof(label), "%s: model is %s", what, model);
	check(strcmp(res.model, model) == 0, label);
	snprintf(label, sizeof(label), "%s: NaN exactly for the first %d values", what, leading_nan);
	check(nan_ok, label);
	snprintf(label, sizeof(label), "%s: fitted values match R within %g", what, tol);
	check(worst <= tol, label);
	fc_result_free(&res);
}

/* a seasonal series: level, daily cycle of amplitude 10, N(0, 1) noise */
static void
seasonal_series(double *y, int n, int period)
{
	int			t;

	for (t = 0; t < n; t++)
		y[t] = 50 + 0.002 * t + 10 * sin(2 * PI * t / period) + 4 * cos(4 * PI * t / period) + normal();
}

static int
count_above(const double *score, int n, double limit, const bool *skip)
{
	int			t,
				c = 0;

	for (t = 0; t < n; t++)
		if ((skip == NULL || !skip[t]) && score[t] > limit)
			c++;
	return c;
}

static double
max_score(const double *score, int n)
{
	double		m = 0;
	int			t;

	for (t = 0; t < n; t++)
		if (isfinite(score[t]))
			m = fmax(m, score[t]);
	return m;
}

/*
 * Spikes of +-spike at every gap-th point after the first cycles: each must
 * score above 5; the same series without them must have no score above 5.
 */
static void
check_spikes(const char *what, int n, int period, FcMethod expect_method)
{
	double	   *clean = dl_alloc(sizeof(double) * n),
			   *spiked = dl_alloc(sizeof(double) * n),
			   *expected = dl_alloc(sizeof(double) * n),
			   *lower = dl_alloc(sizeof(double) * n),
			   *upper = dl_alloc(sizeof(double) * n),
			   *score = dl_alloc(sizeof(double) * n);
	bool	   *planted = dl_alloc0(sizeof(bool) * n);
	FcResidualInfo info;
	FcStatus	st;
	static const double where[8] = {0.104, 0.243, 0.407, 0.533, 0.611, 0.705, 0.880, 0.958};
	int			t,
				k,
				spikes = 0,
				found = 0,
				others;
	char		label[200];
	double		lowest = 1e300;

	seasonal_series(clean, n, period);
	memcpy(spiked, clean, sizeof(double) * n);
	/* irregular places: spikes at a fixed spacing would form a season */
	for (k = 0; k < 8; k++)
	{
		t = (int) ((double) n * where[k]);
		spiked[t] += (spikes % 2 ? -8.0 : 8.0);
		planted[t] = true;
		spikes++;
	}

	st = fc_residual_band_ex(clean, n, FC_AUTO, 0, 99.0, expected, lower, upper, score, NULL, &info);
	printf("# %s clean: %s, sigma %.4f (noise sd 1), largest score %.2f\n",
		   what, info.model, info.sigma, max_score(score, n));
	snprintf(label, sizeof(label), "%s: fitted %s (period %d found)", what,
			 fc_method_name(expect_method), period);
	if (info.message[0])
		printf("# %s\n", info.message);
	check(st == FC_OK && info.method == expect_method && info.n_periods >= 1 &&
		  info.periods[0] == period, label);
	snprintf(label, sizeof(label), "%s: sigma near the noise sd 1 (0.8 .. 1.3)", what);
	check(info.sigma > 0.8 && info.sigma < 1.3, label);
	snprintf(label, sizeof(label), "%s: no score above 5 without spikes", what);
	check(count_above(score, n, 5.0, NULL) == 0, label);

	st = fc_residual_band_ex(spiked, n, FC_AUTO, 0, 99.0, expected, lower, upper, score, NULL, &info);
	for (t = 0; t < n; t++)
		if (planted[t])
		{
			lowest = fmin(lowest, score[t]);
			if (score[t] > 5.0)
				found++;
		}
	others = count_above(score, n, 5.0, planted);
	printf("# %s spiked: %s, lowest spike score %.2f, %d other points above 5\n",
		   what, info.model, lowest, others);
	snprintf(label, sizeof(label), "%s: all %d spikes of 8 sd score above 5", what, spikes);
	check(st == FC_OK && found == spikes, label);
	snprintf(label, sizeof(label), "%s: a spike lies outside its 99%% band", what);
	t = (int) ((double) n * where[0]);
	check(spiked[t] > upper[t], label);
	snprintf(label, sizeof(label), "%s: at most one echo per spike above 5", what);
	check(others <= spikes, label);

	dl_free(clean);
	dl_free(spiked);
	dl_free(expected);
	dl_free(lower);
	dl_free(upper);
	dl_free(score);
	dl_free(planted);
}

/* ------------------------------------------------------------- engine */

static void
test_fitted_against_r(void)
{
	check_fitted("ets(Nile)", r_Nile, R_NILE_N, FC_ETS, 0, NULL, "ETS(M,N,N)",
				 r_fitted_ets_nile, 1e-6, 0);
	check_fitted("ets(Nile, \"ANN\")", r_Nile, R_NILE_N, FC_ETS, 0, "ANN", "ETS(A,N,N)",
				 r_fitted_ets_ann_nile, 1e-6, 0);
	check_fitted("auto.arima(Nile)", r_Nile, R_NILE_N, FC_ARIMA, 0, NULL, "ARIMA(1,1,1)",
				 r_fitted_arima_nile, 1e-4, 1);
	check_fitted("thetaf(Nile)", r_Nile, R_NILE_N, FC_THETA, 0, NULL, "Theta",
				 r_fitted_theta_nile, 1e-3, 0);
	check_fitted("rwf(Nile, drift)", r_Nile, R_NILE_N, FC_DRIFT, 0, NULL, "drift",
				 r_fitted_drift_nile, 1e-9, 1);
	check_fitted("ets(AirPassengers, \"MAM\")", r_AirPassengers, R_AIRPASSENGERS_N, FC_ETS, 12,
				 "MAM", "ETS(M,Ad,M)", r_fitted_ets_mam_air, 1e-6, 0);
	check_fitted("auto.arima(AirPassengers)", r_AirPassengers, R_AIRPASSENGERS_N, FC_ARIMA, 12,
				 NULL, "ARIMA(2,1,1)(0,1,0)[12]", r_fitted_arima_air, 1e-4, 13);
	check_fitted("thetaf(AirPassengers)", r_AirPassengers, R_AIRPASSENGERS_N, FC_THETA, 12,
				 NULL, "Theta (seasonally adjusted, period 12)", r_fitted_theta_air, 1e-3, 0);
}

static void
test_fitted_baselines(void)
{
	FcResult	res;
	bool		ok;
	int			t;

	ok = fit(r_Nile, R_NILE_N, FC_NAIVE, 0, NULL, true, &res) == FC_OK && res.fitted != NULL &&
		isnan(res.fitted[0]);
	for (t = 1; ok && t < R_NILE_N; t++)
		ok = res.fitted[t] == r_Nile[t - 1];
	check(ok, "naive: fitted[t] is y[t - 1], the first NaN");
	fc_result_free(&res);

	ok = fit(r_AirPassengers, R_AIRPASSENGERS_N, FC_SNAIVE, 12, NULL, true, &res) == FC_OK &&
		res.fitted != NULL;
	for (t = 0; ok && t < R_AIRPASSENGERS_N; t++)
		ok = t < 12 ? isnan(res.fitted[t]) : res.fitted[t] == r_AirPassengers[t - 12];
	check(ok, "snaive: fitted[t] is y[t - 12], the first 12 NaN");
	fc_result_free(&res);
}

static void
test_fitted_composites(void)
{
	FcResult	e,
				a,
				th,
				c,
				m;
	double		worst = 0;
	bool		nan_ok = true;
	int			t;

	/* combined: the mean of its members' fitted values */
	fit(r_Nile, R_NILE_N, FC_ETS, 0, NULL, true, &e);
	fit(r_Nile, R_NILE_N, FC_ARIMA, 0, NULL, true, &a);
	fit(r_Nile, R_NILE_N, FC_THETA, 0, NULL, true, &th);
	fit(r_Nile, R_NILE_N, FC_COMBINED, 0, NULL, true, &c);
	for (t = 0; t < R_NILE_N; t++)
	{
		double		want = (e.fitted[t] + a.fitted[t] + th.fitted[t]) / 3;

		if (isnan(want) || isnan(c.fitted[t]))
			nan_ok = nan_ok && isnan(want) && isnan(c.fitted[t]);
		else
			worst = fmax(worst, fabs(c.fitted[t] - want));
	}
	check(nan_ok && worst < 1e-9 && isnan(c.fitted[0]),
		  "combined: fitted values are the mean of ETS's, ARIMA's and Theta's");
	fc_result_free(&e);
	fc_result_free(&a);
	fc_result_free(&th);
	fc_result_free(&c);

	/*
	 * Fitted values come back on the original scale for data the engine
	 * rescales: Nile * 1e12 is fitted as Nile * 1e12 / 1e15 (the power of
	 * ten nearest its mean absolute value), so its fitted values are 1e15
	 * times those of that series, which is fitted as it is.
	 */
	{
		double		big[R_NILE_N],
					small[R_NILE_N];
		FcResult	s;

		for (t = 0; t < R_NILE_N; t++)
		{
			big[t] = r_Nile[t] * 1e12;
			small[t] = big[t] / 1e15;
		}
		fit(big, R_NILE_N, FC_ETS, 0, "ANN", true, &m);
		fit(small, R_NILE_N, FC_ETS, 0, "ANN", true, &s);
		worst = 0;
		for (t = 0; t < R_NILE_N; t++)
			worst = fmax(worst, fabs(m.fitted[t] - s.fitted[t] * 1e15) / big[t]);
		check(worst < 1e-12 && fabs(m.fitted[5] / 1e12 - r_Nile[5]) < 0.5 * r_Nile[5],
			  "fitted values of a rescaled series (Nile * 1e12) come back on its scale");
		fc_result_free(&m);
		fc_result_free(&s);
	}
}

static void
test_fitted_request(void)
{
	FcResult	with,
				without;
	double		flat[20];
	bool		ok;
	int			t;

	fit(r_Nile, R_NILE_N, FC_ETS, 0, NULL, false, &without);
	fit(r_Nile, R_NILE_N, FC_ETS, 0, NULL, true, &with);
	check(without.fitted == NULL && with.fitted != NULL, "fitted is NULL unless want_fitted");
	check(with.mae == without.mae && with.rmse == without.rmse && with.mean[0] == without.mean[0],
		  "want_fitted changes neither the forecast nor the accuracy");
	fc_result_free(&with);
	fc_result_free(&without);

	/* ARIMA's in-sample accuracy from its fitted values, as R's (t >= 2) */
	fit(r_Nile, R_NILE_N, FC_ARIMA, 0, NULL, false, &without);
	printf("# ARIMA(1,1,1) on Nile: in-sample MAE %.6f, R's over t >= 2: 111.0996261\n", without.mae);
	check(fabs(without.mae - 111.0996261) < 1e-4 * 111.0996261,
		  "ARIMA's in-sample MAE is R's mean |y - fitted| over the differenced span");
	fc_result_free(&without);

	for (t = 0; t < 20; t++)
		flat[t] = 7.5;
	ok = fit(flat, 20, FC_AUTO, 0, NULL, true, &with) == FC_OK && with.method == FC_CONSTANT &&
		with.fitted != NULL;
	for (t = 0; ok && t < 20; t++)
		ok = with.fitted[t] == 7.5;
	check(ok, "constant series: every fitted value is the constant");
	fc_result_free(&with);
}

/* ------------------------------------------------------------- bands */

static void
test_band_nile(void)
{
	double		expected[R_NILE_N],
				lower[R_NILE_N],
				upper[R_NILE_N],
				score[R_NILE_N];
	char		model[FC_MODEL_LEN];
	FcResidualInfo info;
	FcStatus	st;
	double		worst = 0,
				z99 = 2.5758293035489004;
	bool		ok = true;
	int			t,
				top = 0;

	st = fc_residual_band_ex(r_Nile, R_NILE_N, FC_ETS, 1, 99.0, expected, lower, upper, score,
							 model, &info);
	check(st == FC_OK && strcmp(model, "ETS(M,N,N)") == 0, "Nile, ets: model ETS(M,N,N)");
	for (t = 0; t < R_NILE_N; t++)
		worst = fmax(worst, fabs(expected[t] - r_fitted_ets_nile[t]) / r_fitted_ets_nile[t]);
	check(worst < 1e-6, "Nile, ets: expected values are R's fitted(ets(Nile))");
	printf("# sigma %.6f, R's mad(Nile - fitted(ets(Nile))) %.6f\n", info.sigma, R_MAD_ETS_NILE);
	check(info.sigma_from_mad && fabs(info.sigma - R_MAD_ETS_NILE) < 1e-5 * R_MAD_ETS_NILE,
		  "Nile, ets: sigma is R's mad() of the one-step errors");
	for (t = 0; t < R_NILE_N; t++)
	{
		ok = ok && fabs(upper[t] - expected[t] - z99 * info.sigma) < 1e-9 * upper[t] &&
			fabs(expected[t] - lower[t] - z99 * info.sigma) < 1e-9 * upper[t] &&
			fabs(score[t] - fabs(r_Nile[t] - expected[t]) / info.sigma) < 1e-12;
		if (score[t] > score[top])
			top = t;
	}
	check(ok, "Nile, ets: band is expected +- qnorm(0.995) sigma, score |error| / sigma");
	printf("# largest score %.6f at year %d; R: 3.037876194 at 1913\n", score[top], 1871 + top);
	check(top == 42 && fabs(score[top] - 3.037876194) < 1e-5, "Nile, ets: largest score as R's (1913, 3.04)");
	check(count_above(score, R_NILE_N, 5.0, NULL) == 0, "Nile, ets: no score above 5");
}

static void
test_band_missing(void)
{
	double		y[R_NILE_N],
				expected[R_NILE_N],
				lower[R_NILE_N],
				upper[R_NILE_N],
				score[R_NILE_N];
	int			holes[] = {0, 1, 30, 31, 32, 99};
	FcResidualInfo info;
	FcStatus	st;
	bool		ok = true;
	int			t,
				k;

	memcpy(y, r_Nile, sizeof(y));
	for (k = 0; k < 6; k++)
		y[holes[k]] = NAN;
	st = fc_residual_band_ex(y, R_NILE_N, FC_ETS, 1, 99.0, expected, lower, upper, score, NULL, &info);
	check(st == FC_OK && info.n_missing == 6 && info.n_residuals == R_NILE_N - 6,
		  "missing values: fitted, 6 missing, the rest make the scale");
	for (t = 0; t < R_NILE_N; t++)
	{
		bool		hole = false;

		for (k = 0; k < 6; k++)
			hole = hole || t == holes[k];
		ok = ok && isfinite(expected[t]) && lower[t] < expected[t] && expected[t] < upper[t];
		ok = ok && (hole ? isnan(score[t]) : (isfinite(score[t]) && score[t] >= 0));
	}
	check(ok, "missing values: expected and band everywhere, score NaN exactly at the holes");
	/* the interpolated run 30..32 lies between y[29] and y[33] */
	check(expected[31] > 600 && expected[31] < 1200, "missing values: expected inside the gap is plausible");
}

static void
test_band_constant(void)
{
	double		y[60],
				expected[60],
				lower[60],
				upper[60],
				score[60];
	char		model[FC_MODEL_LEN];
	bool		ok;
	int			t;

	for (t = 0; t < 60; t++)
		y[t] = 7.5;
	y[10] = NAN;
	ok = fc_residual_band(y, 60, FC_AUTO, 0, 99.0, expected, lower, upper, score, model) == FC_OK &&
		strcmp(model, "constant") == 0;
	for (t = 0; ok && t < 60; t++)
		ok = expected[t] == 7.5 && fabs(upper[t] - lower[t]) < 1e-6 &&
			(t == 10 ? isnan(score[t]) : score[t] == 0);
	check(ok, "constant series: expected the constant, empty band, scores 0");

	for (t = 0; t < 60; t++)
		y[t] = 0;
	ok = fc_residual_band(y, 60, FC_AUTO, 0, 99.0, expected, lower, upper, score, model) == FC_OK;
	for (t = 0; ok && t < 60; t++)
		ok = expected[t] == 0 && score[t] == 0 && lower[t] == 0 && upper[t] == 0;
	check(ok, "all-zero series: scores 0, no division by zero");

	for (t = 0; t < 60; t++)
		y[t] = 7.5;
	y[40] = 100;
	ok = fc_residual_band(y, 60, FC_AUTO, 0, 99.0, expected, lower, upper, score, model) == FC_OK;
	printf("# constant with one spike: %s, spike score %.3g, largest other %.3g\n", model, score[40],
		   fmax(max_score(score, 40), max_score(score + 41, 19)));
	check(ok && score[40] > 5 && isfinite(score[40]) && score[40] <= FC_RESIDUAL_MAX_SCORE,
		  "constant series with one spike: the spike scores above 5, finite");
	check(count_above(score, 60, 5.0, NULL) <= 2, "constant series with one spike: at most one echo");
}

static void
test_band_naive(void)
{
	double		expected[R_NILE_N],
				lower[R_NILE_N],
				upper[R_NILE_N],
				score[R_NILE_N];
	bool		ok;

	ok = fc_residual_band(r_Nile, R_NILE_N, FC_NAIVE, 1, 95.0, expected, lower, upper, score, NULL) == FC_OK;
	check(ok && isnan(expected[0]) && isnan(lower[0]) && isnan(upper[0]) && score[0] == 0 &&
		  expected[1] == r_Nile[0] && isfinite(score[1]),
		  "naive: no fitted value at t = 0 gives NaN expected and band and score 0");
}

static void
test_band_errors(void)
{
	double		y[5] = {1, 2, 3, 4, 5},
				out[5] = {-1, -1, -1, -1, -1},
				sparse[5] = {NAN, 1, NAN, 2, NAN},
				inf[5] = {1, 2, INFINITY, 4, 5};

	check(fc_residual_band(y, 2, FC_AUTO, 0, 99, out, out, out, out, NULL) == FC_ERR_TOO_SHORT,
		  "two points: too short");
	check(fc_residual_band(NULL, 5, FC_AUTO, 0, 99, out, out, out, out, NULL) == FC_ERR_TOO_SHORT,
		  "no array: too short");
	check(fc_residual_band(sparse, 5, FC_AUTO, 0, 99, out, out, out, out, NULL) == FC_ERR_TOO_SHORT,
		  "two observed values among NaN: too short");
	check(fc_residual_band(inf, 5, FC_AUTO, 0, 99, out, out, out, out, NULL) == FC_ERR_NOT_FINITE,
		  "an infinite value: not finite");
	check(fc_residual_band(y, 5, FC_AUTO, 0, 0, out, out, out, out, NULL) == FC_ERR_LEVEL &&
		  fc_residual_band(y, 5, FC_AUTO, 0, 100, out, out, out, out, NULL) == FC_ERR_LEVEL &&
		  fc_residual_band(y, 5, FC_AUTO, 0, NAN, out, out, out, out, NULL) == FC_ERR_LEVEL,
		  "level 0, 100 or NaN: bad level");
	check(fc_residual_band(y, 5, FC_AUTO, -1, 99, out, out, out, out, NULL) == FC_ERR_PERIOD,
		  "negative period: bad period");
	check(fc_residual_band(y, 5, FC_CONSTANT, 0, 99, out, out, out, out, NULL) == FC_ERR_METHOD,
		  "'constant' cannot be asked for");
	check(out[0] == -1 && out[4] == -1, "errors leave the outputs alone");
	check(fc_residual_band(y, 3, FC_AUTO, 0, 99, out, out, out, out, NULL) == FC_OK,
		  "three points: fitted");
}

static void
test_method_rule(void)
{
	check(fc_residual_method(FC_AUTO, 1000, 1) == FC_MSTL_ARIMA &&
		  fc_residual_method(FC_AUTO, 1000, 0) == FC_COMBINED,
		  "auto on a short series: the engine's choice");
	check(fc_residual_method(FC_AUTO, 22000, 2) == FC_MSTL &&
		  fc_residual_method(FC_AUTO, 22000, 0) == FC_ETS &&
		  fc_residual_method(FC_ARIMA, 22000, 0) == FC_ETS &&
		  fc_residual_method(FC_MSTL_ARIMA, 22000, 1) == FC_MSTL &&
		  fc_residual_method(FC_COMBINED, 22000, 1) == FC_MSTL,
		  "past the size limit: ETS-based instead of ARIMA-based");
	check(fc_residual_method(FC_THETA, 22000, 1) == FC_THETA &&
		  fc_residual_method(FC_ARIMA, 500, 0) == FC_ARIMA,
		  "other methods and short series: as asked");
}

int
main(void)
{
	test_fitted_against_r();
	test_fitted_baselines();
	test_fitted_composites();
	test_fitted_request();
	test_band_nile();
	test_band_missing();
	test_band_constant();
	test_band_naive();
	test_band_errors();
	test_method_rule();
	check_spikes("seasonal, 960 points", 960, 24, FC_MSTL_ARIMA);
	check_spikes("seasonal, 6000 points", 6000, 24, FC_MSTL);
	printf("1..%d\n", test_number);
	return failures == 0 ? 0 : 1;
}
