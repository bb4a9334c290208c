// Reference values computed once with NumPy 2.4.6 (float64) and printed with repr():
//
//   x = np.array([[0.3, 2.9, 4.0, -1.5], [1.0, -2.0, 0.5, 3.25], [-0.7, 0.0, 0.7, 1.4]])
//   t = np.array([2, 3, 0])
//   e = np.exp(x - x.max(axis=1, keepdims=True)); y = e / e.sum(axis=1, keepdims=True)
//   loss = -np.sum(np.log(y[np.arange(3), t] + 1e-7)) / 3
//   dx = (y - np.eye(4)[t]) / 3
//   z = x - x.max(axis=1, keepdims=True); logY = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
//   logLoss = -np.sum(logY[np.arange(3), t]) / 3
//
// The one-hot form, -np.sum(np.eye(4)[t] * np.log(y + 1e-7)) / 3, printed the same loss.

export const npX = [
  [0.3, 2.9, 4.0, -1.5],
  [1.0, -2.0, 0.5, 3.25],
  [-0.7, 0.0, 0.7, 1.4],
];

export const npT = [2, 3, 0];

export const npY = [
  [0.01815661637464987, 0.24445592647030798, 0.7343861886544467, 0.0030012685005954766],
  [0.0897339549040779, 0.004467590547728147, 0.05442639486659406, 0.8513720596815998],
  [0.06563780463840733, 0.13217830680301096, 0.2661744231934266, 0.5360094653651551],
];

/** The book's cross-entropy with the 1e-7 guard (what crossEntropyError returns). */
export const npLoss = 1.0644093236187828;

export const npDx = [
  [0.006052205458216623, 0.08148530882343599, -0.08853793711518443, 0.0010004228335318255],
  [0.0299113183013593, 0.0014891968492427158, 0.01814213162219802, -0.04954264677280007],
  [-0.3114540651205309, 0.04405943560100365, 0.0887248077311422, 0.17866982178838506],
];

export const npLogY = [
  [-4.008720246151109, -1.4087202461511084, -0.30872024615110827, -5.8087202461511085],
  [-2.410906043038012, -5.410906043038012, -2.910906043038012, -0.1609060430380119],
  [-2.7236034588039084, -2.0236034588039087, -1.3236034588039087, -0.6236034588039088],
];

/** The cross-entropy in log space, without the 1e-7 guard (what SoftmaxWithLoss.forward returns). */
export const npLogLoss = 1.064409915997676;
