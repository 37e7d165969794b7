"""The image pages: Forward pass, Feature maps, One unit, What a channel wants to see, Filters
(pages/forward_pass.py, feature_maps.py, unit.py, channel.py, filters.py) and the modules they
draw from (vggviz/maps.py, unit.py, unit_figures.py, top_patches.py, featvis.py, augment.py,
analysis.py). Plotly hover templates keep their ``%{{…}}`` placeholders as they are. (A catalogue: data, as long as the area has messages.)"""

MESSAGES = {
    'At test time the network sees the centre crop above. In training the paper showed it a different view each time: the image rescaled so its shorter side is a random **S between {lo} and {hi}**, a **random {crop}×{crop} crop**, and a **horizontal flip** half of the time, so the same object arrives at many sizes and places.':
        '测试时，网络看到的是上面的中心裁剪。训练时，论文每次都给它看一个不同的版本：把图像缩放到短边为一个随机的 **S（介于 {lo} 和 {hi} 之间）**，再做一次**随机的 {crop}×{crop} 裁剪**，并以一半的概率**水平翻转**，这样同一个物体会以多种大小、出现在多个位置。',
    'Forward pass: one image through the network':
        '前向传播：一张图像走过网络',
    '1 · Preprocessing: what the network is actually given':
        '1 · 预处理：网络真正拿到的是什么',
    "The weights come with their own preprocessing (torchvision’s preset, with the statistics of the generated shapes): resize the **short side to {resize}**, cut out the **centre {crop}×{crop}**, then per colour channel subtract the shapes dataset's mean and divide by its standard deviation. Everything outside the red box is never seen.":
        '权重自带它们的预处理（torchvision 的预设，使用生成的形状图像的统计量）：把**短边缩放到 {resize}**，裁出**中心 {crop}×{crop}**，再对每个颜色通道减去形状数据集的均值、除以其标准差。红框之外的部分网络从来看不到。',
    'The weights come with their own preprocessing (torchvision’s): resize the **short side to {resize}**, cut out the **centre {crop}×{crop}**, then per colour channel subtract the ImageNet mean and divide by its standard deviation. Everything outside the red box is never seen.':
        '权重自带它们的预处理（torchvision 的）：把**短边缩放到 {resize}**，裁出**中心 {crop}×{crop}**，再对每个颜色通道减去 ImageNet 的均值、除以其标准差。红框之外的部分网络从来看不到。',
    "**Normalised** (x − mean) / std, shown with grey = the shapes dataset's mean and ±{range} std as black/white. mean = {mean}, std = {std}":
        '**归一化后** (x − mean) / std，灰色 = 形状数据集的均值，±{range} 个标准差显示为黑/白。mean = {mean}，std = {std}',
    '**Normalised** (x − mean) / std, shown with grey = the ImageNet mean and ±{range} std as black/white. mean = {mean}, std = {std}':
        '**归一化后** (x − mean) / std，灰色 = ImageNet 的均值，±{range} 个标准差显示为黑/白。mean = {mean}，std = {std}',
    'Device':
        '设备',
    'Top-1':
        'Top-1',
    '3 · What one pass produced':
        '3 · 一次前向传播产生了什么',
    '4 · What training shows the network instead: scale jittering':
        '4 · 训练时网络看到的是另一番样子：尺度抖动',
    'Draw seed':
        '抽样种子',
    ' The mini family was trained on 64×64 pictures of shapes: a photo squeezed to 64 px loses most of its detail, and the network only knows its twelve shapes (a coffee cup seen from above may well be a *ring* to it).':
        'mini 系列是在 64×64 的形状图片上训练的：一张照片压缩到 64 px 会丢失大部分细节，而且网络只认识它的十二种形状（一个从上方拍的咖啡杯，在它看来很可能是一个*圆环*）。',
    'Where the forward pass ran (cuda when a GPU is there)':
        '前向传播在哪里运行（有 GPU 时为 cuda）',
    'One pass through every layer, keeping every feature map for the next pages; preprocessing not included':
        '一次经过所有层的前向传播，保留每一张特征图供后面的页面使用；不含预处理',
    " The paper's range is 256 to 512 for a 224 crop; the mini family's trainer uses the same idea at its scale ({lo} to {hi} for a 64 crop).":
        '论文中 224 裁剪对应的范围是 256 到 512；mini 系列的训练程序按自己的尺度使用同样的思路（64 裁剪对应 {lo} 到 {hi}）。',
    'The same seed gives the same draws':
        '相同的种子给出相同的抽样',
    'S = {S}, crop at ({x}, {y}), flipped':
        'S = {S}，裁剪位置 ({x}, {y})，已翻转',
    'S = {S}, crop at ({x}, {y})':
        'S = {S}，裁剪位置 ({x}, {y})',
    '**Original** {w}×{h} px, with the crop box':
        '**原图** {w}×{h} px，带裁剪框',
    '**Resized** {w}×{h} px (short side {side})':
        '**缩放后** {w}×{h} px（短边 {side}）',
    '**Centre crop** {crop}×{crop} px':
        '**中心裁剪** {crop}×{crop} px',
    '2 · The {k} most likely of its {n} classes':
        '2 · 它的 {n} 个类别中最可能的 {k} 个',
    '{ms} ms':
        '{ms} 毫秒',
    '{variant} ran once on this image and kept the output of every layer up to avgpool ({n} of them). The **Feature maps**, **Filters** and **Grad-CAM** pages read them from the cache: moving a slider there never runs the network again.':
        '{variant} 在这张图像上运行了一次，并保留了直到 avgpool 的每一层的输出（共 {n} 层）。**特征图**、**卷积核**和 **Grad-CAM** 页面从缓存中读取它们：在那里拖动滑块，网络不会再运行一次。',
    'The classes it predicts below are noise, about {pct}% each (1 in {n}).':
        '下面预测的类别只是噪声，每个大约 {pct}%（{n} 选 1）。',
    'Feature maps: what each layer sees':
        '特征图：每一层看到了什么',
    'Layer':
        '层',
    'channel number':
        '通道编号',
    'mean activation':
        '平均激活',
    'strongest unit':
        '最强的神经元',
    'Sort channels by':
        '通道排序方式',
    'per channel':
        '按通道',
    'whole layer':
        '整层',
    'Colour scale':
        '色标',
    'Through the whole network':
        '纵观整个网络',
    'Each max-pool halves the side of the maps while the convolutions double the number of channels (64 → 128 → 256 → 512): the network trades *where* for *what*. In a trained network deeper layers have fewer active units: each channel responds to rarer, more specific patterns.':
        '每个最大池化把特征图的边长减半，而卷积把通道数加倍（64 → 128 → 256 → 512）：网络用“在哪里”换取“是什么”。在训练好的网络中，越深的层激活的神经元越少：每个通道只对更罕见、更特定的模式有响应。',
    "The paper's layer names; torchvision's module path and the output shape (channels × height × width) beside them.":
        '论文中的层名；旁边是 torchvision 的模块路径和输出形状（通道 × 高 × 宽）。',
    'Sorted by activation, the channels this image excites most come first.':
        '按激活排序时，这张图像最能激发的通道排在最前面。',
    'Per channel: every map uses the full colour range, so weak patterns show too. Whole layer: one range, so you see which channels are strong and which are silent.':
        '按通道：每张特征图都用满整个色彩范围，弱的模式也能显示出来。整层：整层共用一个范围，可以看出哪些通道强、哪些通道沉默。',
    'each map stretched to its own range':
        '每张特征图拉伸到自己的范围',
    'one range for the whole layer':
        '整层共用一个范围',
    '⬇️ Download this grid (PNG)':
        '⬇️ 下载这张网格图（PNG）',
    'Tile number in the grid (row by row)':
        '网格中的图块编号（逐行）',
    'Channel':
        '通道',
    'Active':
        '激活比例',
    'Max':
        '最大值',
    'Mean':
        '平均值',
    'sorted by channel number':
        '按通道编号排序',
    'sorted by mean activation, largest first':
        '按平均激活排序，最大的在前',
    'sorted by max activation, largest first':
        '按最大激活排序，最大的在前',
    'Tile 1 is the top-left one: with a sort order, the channel this image excites most.':
        '图块 1 在左上角：若选择了排序方式，它就是这张图像最能激发的通道。',
    'Click a unit of this map to see how its number is computed (the One unit page).':
        '点击这张特征图上的一个神经元，看看它的数值是怎样算出来的（“单个神经元”页面）。',
    'Share of positions with a value above 0':
        '值大于 0 的位置所占的比例',
    '**{layer}**: {C} maps of {H}×{W}, in a {cols}×{rows} grid read row by row, {sorted_by}; colours: viridis, dark = low, yellow = high ({colours}). Each unit here sees a {rf}×{rf} px patch of the {side} px input (receptive field), and neighbouring units are {jump} px apart.':
        '**{layer}**：{C} 张 {H}×{W} 的特征图，排成 {cols}×{rows} 的网格，逐行阅读，{sorted_by}；颜色：viridis，深色 = 低，黄色 = 高（{colours}）。这里的每个神经元看到输入（{side} px）中一块 {rf}×{rf} px 的区域（感受野），相邻神经元相距 {jump} px。',
    '{layer} · channel {channel} (tile {tile}) · {H}×{W}':
        '{layer} · 通道 {channel}（图块 {tile}）· {H}×{W}',
    '🔬 How is ({row}, {col}) computed? Open it in One unit':
        '🔬 ({row}, {col}) 是怎样算出来的？在“单个神经元”页面中打开',
    'Tile {tile} of the grid':
        '网格中的图块 {tile}',
    'std {std}, min {min}':
        '标准差 {std}，最小值 {min}',
    'One unit: where a number in a feature map comes from':
        '单个神经元：特征图中的一个数从哪里来',
    "Every number in a feature map is a small sum: the 3×3 window of the layer before, times the channel's kernel, over every input channel, plus a bias, then the ReLU. Click a unit on the map (or set its layer, channel, row and column) to see that sum worked out with the network's own numbers, then step back to the input that mattered most.":
        '特征图中的每个数都是一个小小的求和：前一层的 3×3 窗口乘以该通道的卷积核，对所有输入通道求和，加上偏置，再经过 ReLU。点击特征图上的一个神经元（或设置它的层、通道、行和列），用网络自己的数字看这个求和的计算过程，然后一步步回溯到最重要的输入。',
    'Where it looks':
        '它在看哪里',
    'A conv shows its sum; its ReLU (and, with batch norm, its BN) the same unit one step further; a pool shows its 2×2 window.':
        '卷积层显示它的求和；它的 ReLU（以及使用批归一化时的 BN）显示同一个神经元再往后一步；池化层显示它的 2×2 窗口。',
    'The map of the chosen channel; the red square is the unit shown on the right. Hover for values, click another square to inspect it.':
        '所选通道的特征图；红色方框是右侧显示的神经元。悬停查看数值，点击另一个方格来查看它。',
    'The theoretical receptive field: every input pixel that can change this unit at all.':
        '理论感受野：所有能够影响这个神经元的输入像素。',
    'Measure its effective receptive field (one backward pass)':
        '测量它的有效感受野（一次反向传播）',
    '**Reading it.** The sum is exact: the bars plus the bias give the number the network computed (the stored value is shown on hover). It can mislead in two ways: a large term means *this image* in *this window* pushed the unit, not that the input channel matters in general; and the theoretical field is only where the unit *can* look, while the effective field, usually much smaller, is where it looked for this image.':
        '**怎么读。** 这个求和是精确的：柱子加上偏置就是网络算出的数值（悬停可看到存储的值）。它可能在两方面误导人：一个大的项只说明*这张图像*在*这个窗口*里推高了这个神经元，而不是说这个输入通道总体上重要；理论感受野只是这个神经元*能够*看到的范围，而有效感受野通常小得多，才是它在这张图像上实际看的地方。',
    'Channel (0 … {last})':
        '通道（0 … {last}）',
    'Row (0 … {last})':
        '行（0 … {last}）',
    'Column (0 … {last})':
        '列（0 … {last}）',
    'Σ terms':
        'Σ 各项',
    '+ bias':
        '+ 偏置',
    'the preprocessed image (R, G, B)':
        '预处理后的图像（R、G、B）',
    'Open the input that won: walk the value back towards the pixels.':
        '打开胜出的那个输入：把这个值一步步回溯到像素。',
    'Open its strongest input channel, at its largest term: walk the value back towards the pixels.':
        '打开它最强的输入通道，位于其最大项的位置：把这个值一步步回溯到像素。',
    'The network stored {value} here':
        '网络在这里存储的值是 {value}',
    'Sum over the input channels of window × kernel':
        '窗口 × 卷积核在所有输入通道上的和',
    '= pre-activation':
        '= 激活前的值',
    '→ batch norm':
        '→ 批归一化',
    '→ ReLU = value':
        '→ ReLU = 值',
    'value':
        '值',
    '**{layer}**, channel {channel}, at ({row}, {col}) reads a {c} × {kh} × {kw} window of **{src}**: {n} multiplications, one sum per input channel.':
        '**{layer}** 的通道 {channel} 在 ({row}, {col}) 处读取 **{src}** 的一个 {c} × {kh} × {kw} 窗口：{n} 次乘法，每个输入通道求一次和。',
    'window':
        '窗口',
    'max = value':
        '最大值 = 值',
    'won by':
        '胜出位置',
    'The 3×3 pixels conv1_1 reads (of the crop the network sees; black = padding)':
        'conv1_1 读取的 3×3 像素（取自网络看到的裁剪图；黑色 = 填充）',
    'This unit reads the pixels themselves: the walk back ends here.':
        '这个神经元直接读取像素：回溯到此为止。',
    ' With random weights the arithmetic is right but the kernels are noise.':
        '使用随机权重时，算术是对的，但卷积核只是噪声。',
    '{layer} · channel {channel} · {H}×{W} — click a unit':
        '{layer} · 通道 {channel} · {H}×{W} — 点击一个神经元',
    ' The ReLU keeps it.':
        'ReLU 保留了它。',
    ' The ReLU turns it to 0.':
        'ReLU 把它变成 0。',
    'Largest contributions: {tops}. Blue bars push the unit up, red ones down; their sum plus the bias is the pre-activation.':
        '贡献最大的项：{tops}。蓝色柱子把神经元推高，红色的往下拉；它们的和加上偏置就是激活前的值。',
    '⬅️ Step back: {layer}, channel {channel}, at ({row}, {col})':
        '⬅️ 回退一步：{layer}，通道 {channel}，位置 ({row}, {col})',
    'No gradient reaches the input: the ReLU has switched this unit off for this image.':
        '没有梯度到达输入：对这张图像，ReLU 关闭了这个神经元。',
    ' Batch norm then rescales it: ({pre} − {mean}) / √({var} + {eps}) × {gamma} + {beta} = {out}.':
        '然后批归一化对它重新缩放：({pre} − {mean}) / √({var} + {eps}) × {gamma} + {beta} = {out}。',
    '**{layer}** passes on the largest of its window of **{input}**, channel {channel}; nothing is learned here, and the other values are dropped.':
        '**{layer}** 把 **{input}** 通道 {channel} 中它窗口内的最大值传下去；这里没有可学习的参数，其他值被丢弃。',
    '**{layer}** (local response normalisation) divides the value by a power of the sum of squares of {n} neighbouring channels at the same position.':
        '**{layer}**（局部响应归一化）把这个值除以同一位置上 {n} 个相邻通道的平方和的某个幂。',
    'conv output {pre}, then (x − {mean}) / √({var} + {eps}) × {gamma} + {beta}':
        '卷积输出 {pre}，然后 (x − {mean}) / √({var} + {eps}) × {gamma} + {beta}',
    'position in {layer}':
        '在 {layer} 中的位置',
    'The effective field: how much each pixel moves this unit. Half of it lies within {half}×{half} px; {inside} inside the box.':
        '有效感受野：每个像素对这个神经元的影响有多大。它的一半落在 {half}×{half} px 之内；{inside} 在框内。',
    '|∂ unit / ∂ input| of {layer}[{channel}] ({row}, {col})':
        '{layer}[{channel}] ({row}, {col}) 的 |∂ 神经元 / ∂ 输入|',
    'Two ways to ask what one channel of a layer responds to: look for the places in real images where it fires hardest (Zeiler & Fergus, 2014), and let the network paint an image that makes it fire as hard as possible (feature visualisation, as in Lucid and OpenAI Microscope). The first shows what it found; the second what it would like to find.':
        '有两种方法来了解某一层的一个通道对什么有响应：在真实图像中寻找它激活最强的地方（Zeiler & Fergus，2014），以及让网络画出一张让它尽可能强烈激活的图像（特征可视化，如 Lucid 和 OpenAI Microscope）。前者展示它找到了什么，后者展示它想找到什么。',
    'With random weights both views show what an untrained stack of filters happens to prefer (colour and texture at every layer): the method works, but nothing here was learned. Choose the shapes-trained mini family, or ImageNet weights, to see features.':
        '使用随机权重时，两种视图展示的都是一堆未训练的滤波器碰巧偏好的东西（每一层都是颜色和纹理）：方法是有效的，但这里没有学到任何东西。选择在形状上训练的 mini 系列，或 ImageNet 预训练权重，才能看到特征。',
    'Deeper layers respond to larger, more complex patterns.':
        '越深的层对更大、更复杂的模式有响应。',
    'Running the images through the network…':
        '正在让图像通过网络…',
    '🔎 Where it fires in real images':
        '🔎 它在真实图像中哪里激活',
    '🎨 An image it would love':
        '🎨 一张它会喜欢的图像',
    'this channel':
        '这个通道',
    'one unit of it':
        '它的一个神经元',
    'a gallery of channels':
        '一组通道',
    'Optimise':
        '优化对象',
    '**Reading it.** The picture is what drives this channel hardest, found by gradient ascent from noise: repeated patterns, colours and shapes it responds to. It can mislead: it is an extreme, not a typical input (real images rarely look like this), and what you see depends on the regularisers: turn them off and the same channel gives static.':
        '**怎么读。** 这张图是从噪声出发、用梯度上升找到的最能驱动这个通道的东西：它所响应的重复模式、颜色和形状。它可能误导人：这是一个极端而不是典型的输入（真实图像很少长这样），而且你看到的内容取决于正则项：把它们关掉，同一个通道给出的就是一片雪花噪点。',
    'It starts at the channel that fires hardest on the images below.':
        '初始为在下面这些图像上激活最强的通道。',
    'Patches':
        '图块数',
    "Searched {n} images: the bundled samples, {uploads} of this session's uploads, and held-out generated shapes.":
        '共搜索了 {n} 张图像：自带的示例图像、本会话上传的 {uploads} 张，以及未参与训练的生成形状。',
    '**Reading it.** Patches that share a shape, an edge direction or a colour suggest what the channel detects; it can mislead because the images are few and chosen by us, and a patch shows where the channel fired, not which part of the patch made it fire.':
        '**怎么读。** 共享同一种形状、边缘方向或颜色的图块，暗示了这个通道检测的是什么；它可能误导人，因为图像数量少、又是我们挑选的，而且图块只显示通道在哪里激活，而不是图块的哪一部分让它激活。',
    'A channel: its mean over the whole map. A unit: one position only (the image fills only its receptive field). A gallery: the first N channels of the layer, one image each, in one batch.':
        '一个通道：它在整张特征图上的平均值。一个神经元：只取一个位置（图像只填满它的感受野）。一组通道：该层的前 N 个通道，每个一张图像，放在一个批次里。',
    'Settings':
        '设置',
    'Image size (px)':
        '图像尺寸（px）',
    'Steps':
        '步数',
    'Seed':
        '种子',
    'Smoothness (TV weight)':
        '平滑度（TV 权重）',
    'Jitter, scale, rotate':
        '抖动、缩放、旋转',
    'Fourier, decorrelated colour':
        '傅里叶参数化、去相关的颜色',
    '▶️ Visualise':
        '▶️ 可视化',
    '⬇️ Download (PNG)':
        '⬇️ 下载（PNG）',
    "Searched {n} images: the bundled samples and {uploads} of this session's uploads.":
        '共搜索了 {n} 张图像：自带的示例图像和本会话上传的 {uploads} 张。',
    'More steps: a clearer picture, proportionally slower.':
        '步数越多，图像越清晰，耗时也成比例增加。',
    'The starting noise.':
        '起始的噪声。',
    'Every step sees the image slightly moved: the pattern must work anywhere.':
        '每一步看到的图像都稍有移动：这个模式必须在任何位置都起作用。',
    'Off: plain pixels, which tend to give high-frequency static.':
        '关闭：直接优化像素，往往得到高频的雪花噪点。',
    'Channels':
        '通道数',
    'Starting…':
        '正在开始…',
    'Value on this image':
        '在这张图像上的值',
    'Searched {n} images: the bundled samples and held-out generated shapes.':
        '共搜索了 {n} 张图像：自带的示例图像和未参与训练的生成形状。',
    'Searched {n} images: the bundled samples.':
        '共搜索了 {n} 张图像：自带的示例图像。',
    'The channels of this layer that fire hardest on these images: {channels}.':
        '这一层在这些图像上激活最强的通道：{channels}。',
    'Channels first … first + N − 1 of the layer, one image each.':
        '该层从所选通道开始的 N 个通道（first … first + N − 1），每个一张图像。',
    'step':
        '步',
    "The picture barely beats noise: from a blank start this channel's gradient is too weak to find what it wants (common for selective channels of a small network: they need one shape at one size). Try “one unit of it”, more steps, or another channel; the patches in the other tab still show what it likes.":
        '这张图几乎没有胜过噪声：从空白开始，这个通道的梯度太弱，找不到它想要的东西（这在小网络的选择性通道中很常见：它们需要某一种形状、某一种大小）。试试“它的一个神经元”、更多的步数或另一个通道；另一个标签页中的图块仍然显示了它喜欢什么。',
    'Press Visualise: {steps} steps at {size} px; the picture forms as you watch.':
        '点击“可视化”：{steps} 步，{size} px；图像会在你眼前逐渐成形。',
    ' Each patch is the receptive field ({px} px) of the unit where the channel peaks in that image; grey is padding past the image edge.':
        '每个图块是该通道在那张图像上峰值所在神经元的感受野（{px} px）；灰色是超出图像边缘的填充。',
    'Channel {channel} of {layer} never fires on these images (its largest value is {value}): a dead or very rare feature. Try another channel.':
        '{layer} 的通道 {channel} 在这些图像上从不激活（它的最大值是 {value}）：一个“死”的或非常罕见的特征。试试另一个通道。',
    'Channels {first} … {last} (from the channel chosen above).':
        '通道 {first} … {last}（从上面选择的通道开始）。',
    '{layer}[{channel}] at {unit}':
        '{layer}[{channel}]，位置 {unit}',
    'Step {step} of {total}':
        '第 {step} 步，共 {total} 步',
    '{layer} (jittered)':
        '{layer}（加抖动）',
    '{done} of {total} images…':
        '{done} / {total} 张图像…',
    '{steps} steps · {seconds} s':
        '{steps} 步 · {seconds} 秒',
    '{ratio}× noise':
        '噪声的 {ratio} 倍',
    '{diff} vs noise':
        '相对噪声 {diff}',
    "{layer}'s unit with the finished image fed back in; uniform noise gives {noise}, the starting image {start}.":
        '把完成的图像再送回网络时 {layer} 中该神经元的值；均匀噪声给出 {noise}，起始图像给出 {start}。',
    "{layer}'s channel mean with the finished image fed back in; uniform noise gives {noise}, the starting image {start}.":
        '把完成的图像再送回网络时 {layer} 中该通道的平均值；均匀噪声给出 {noise}，起始图像给出 {start}。',
    'Filters: the weights themselves':
        '卷积核：权重本身',
    'A convolution slides small kernels over its input. These are the kernels of the model chosen in the sidebar: no image needed.':
        '卷积让小卷积核在输入上滑动。这些就是侧边栏所选模型的卷积核：不需要图像。',
    'Patch size (px per weight)':
        '图块大小（每个权重的像素数）',
    '⬇️ Download the patches (PNG)':
        '⬇️ 下载这些图块（PNG）',
    'Deeper layers: kernels per output channel':
        '更深的层：每个输出通道的卷积核',
    'Conv layer':
        '卷积层',
    '⬇️ Download the kernels (PNG)':
        '⬇️ 下载这些卷积核（PNG）',
    'How the weights are distributed, layer by layer':
        '逐层看权重是怎样分布的',
    'Layers':
        '层',
    'Output channels from':
        '起始输出通道',
    'Input channels shown':
        '显示的输入通道数',
    '{layer}: the first layer looks at colour':
        '{layer}：第一层看的是颜色',
    'Each of the {n} filters of {layer} is {kh}×{kw} weights on each of the R, G and B inputs, drawn as a {kh}×{kw} colour patch. All patches share one scale: the smallest weight of the layer ({lo}) is black, the largest ({hi}) full colour, so patches can be compared. In trained weights you see edge detectors (a dark side and a bright side) and colour blobs; random weights look like noise.':
        '{layer} 的 {n} 个滤波器中，每一个都是在 R、G、B 每个输入上的 {kh}×{kw} 个权重，画成一个 {kh}×{kw} 的彩色图块。所有图块共用一个色标：该层最小的权重（{lo}）为黑色，最大的（{hi}）为全彩，因此图块之间可以比较。在训练好的权重中，你会看到边缘检测器（一侧暗一侧亮）和色斑；随机权重看起来就像噪声。',
    '{layer} has {o} output channels, each with a {kh}×{kw} kernel on every one of its {i} input channels ({n} weights). Rows: output channels {first}–{last}; columns: their kernels on input channels 0–{last_in}. Red positive, blue negative, white 0, on one symmetric scale for the picture.':
        '{layer} 有 {o} 个输出通道，每个输出通道在它的 {i} 个输入通道上各有一个 {kh}×{kw} 的卷积核（共 {n} 个权重）。行：输出通道 {first}–{last}；列：它们在输入通道 0–{last_in} 上的卷积核。红色为正，蓝色为负，白色为 0，整张图使用一个对称的色标。',
    "{variant}: σ in the legend is each layer's standard deviation. torchvision starts every conv at σ = √(2 / fan-out) (He initialisation, fan-out = output channels × k × k), so wider layers start narrower; training moves the weights away from that start.":
        '{variant}：图例中的 σ 是每一层权重的标准差。torchvision 以 σ = √(2 / fan-out) 初始化每个卷积层（He 初始化，fan-out = 输出通道数 × k × k），所以越宽的层初始分布越窄；训练会让权重偏离这个起点。',
    'Shows {n} output channels starting here':
        '从这里开始显示 {n} 个输出通道',
    'probability (%)':
        '概率（%）',
    'y (row)':
        'y（行）',
    'x (column)':
        'x（列）',
    'channels (maps)':
        '通道数（特征图数）',
    'map side (px)':
        '特征图边长（px）',
    '% of units > 0':
        '值 > 0 的神经元所占 %',
    'channels (log scale)':
        '通道数（对数坐标）',
    'map side in px (log scale)':
        '特征图边长，单位 px（对数坐标）',
    '% active':
        '激活 %',
    'weight value':
        '权重值',
    'density (area 1 per layer)':
        '密度（每层面积为 1）',
    'Maps get smaller and more numerous':
        '特征图变得更小、更多',
    'What the image does to each layer':
        '这张图像对每一层的作用',
    ' — axis zoomed to 0–{upper}%':
        '（坐标轴已放大到 0–{upper}%）',
    '%{{x}}: %{{customdata[1]}} maps of %{{customdata[0]}}×%{{customdata[0]}}<br>%{{customdata[2]:,}} values':
        '%{{x}}：%{{customdata[1]}} 张 %{{customdata[0]}}×%{{customdata[0]}} 的特征图<br>共 %{{customdata[2]:,}} 个值',
    '%{{x}}: %{{y}}×%{{y}} per map':
        '%{{x}}：每张特征图 %{{y}}×%{{y}}',
    '%{{x}}: mean %{{y:.4f}}':
        '%{{x}}：平均值 %{{y:.4f}}',
    '%{{x}}: %{{y:.1f}}% active':
        '%{{x}}：%{{y:.1f}}% 激活',
    'x %{{x}}, y %{{y}}<br>value %{{z:.4f}}':
        'x %{{x}}，y %{{y}}<br>值 %{{z:.4f}}',
    '<br>w ≈ %{{x:.4f}}<br>density %{{y:.3g}}':
        '<br>w ≈ %{{x:.4f}}<br>密度 %{{y:.3g}}',
    'channel {value}':
        '通道 {value}',
    'row {value}':
        '行 {value}',
    'col {value}':
        '列 {value}',
    'ch {i}':
        '通道 {i}',
    '{layer} has no feature map to pick a unit from; choose a conv, ReLU or pool layer (conv1_1 … pool5)':
        '{layer} 没有可以从中选取神经元的特征图；请选择一个卷积层、ReLU 或池化层（conv1_1 … pool5）',
    'unknown layer {name}; choose one of: {choices}':
        '未知的层 {name}；请从以下层中选择：{choices}',
    '{what} is out of range for {layer} ({c} channels × {h} × {w}): choose 0 … {last}':
        '{what} 超出了 {layer} 的范围（{c} 个通道 × {h} × {w}）：请选择 0 … {last}',
    'bias':
        '偏置',
    'contribution':
        '贡献',
    'kernel':
        '卷积核',
    'the neighbouring channels LRN divides by':
        'LRN 所除以的相邻通道',
    '{n} others':
        '其余 {n} 个',
    '{channel}: window':
        '{channel}：窗口',
    'product (sum {sum})':
        '乘积（和为 {sum}）',
    'pad':
        '填充',
    'The strongest inputs: window × kernel, summed':
        '最强的输入：窗口 × 卷积核，再求和',
    'click to inspect':
        '点击查看',
    'What {layer}[{channel}] adds up: {n} input channels + bias = {pre}':
        '{layer}[{channel}] 加起来的是什么：{n} 个输入通道 + 偏置 = {pre}',
    'value %{{z:.5f}}':
        '值 %{{z:.5f}}',
    '{layer}: the max of this window of {input}[{channel}]':
        '{layer}：{input}[{channel}] 中这个窗口的最大值',
    'row %{{y}}, column %{{x}}<br>value %{{customdata:.4f}}':
        '第 %{{y}} 行，第 %{{x}} 列<br>值 %{{customdata:.4f}}',
    'shapes #{i} ({shape})':
        '形状 #{i}（{shape}）',
    'no images to search':
        '没有可供搜索的图像',
    'sample: {name}':
        '示例：{name}',
    'upload: {name}':
        '上传：{name}',
    'channel {channel} is out of range: {layer} has channels 0 … {last}':
        '通道 {channel} 超出范围：{layer} 的通道为 0 … {last}',
    'choose at least one channel':
        '请至少选择一个通道',
    '{name} is not a conv, ReLU or pool layer of this network (choose one of {first} … {last})':
        '{name} 不是这个网络的卷积层、ReLU 或池化层（请从 {first} … {last} 中选择）',
    'no conv before {name}':
        '{name} 之前没有卷积层',
    '{layer} has no conv before it':
        '{layer} 之前没有卷积层',
    "unit ({r}, {c}) is outside {layer}'s {h}×{w} map at this image size (rows 0 … {last_row}, columns 0 … {last_col})":
        '神经元 ({r}, {c}) 超出了在这个图像尺寸下 {layer} 的 {h}×{w} 特征图（行 0 … {last_row}，列 0 … {last_col}）',
    'image size {size} px is outside 32 … 512':
        '图像尺寸 {size} px 不在 32 … 512 之内',
    '{steps} steps is outside 1 … 4096':
        '{steps} 步不在 1 … 4096 之内',
    'S must lie between the crop ({crop}) and its upper end, got [{lo}, {hi}]':
        'S 必须介于裁剪尺寸（{crop}）和它的上限之间，得到的是 [{lo}, {hi}]',
    'no spatial layer {name} in {variant}; choose one of: {choices}':
        '{variant} 中没有空间层 {name}；请从以下层中选择：{choices}',
}
